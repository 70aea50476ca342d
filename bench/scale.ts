export async function benchScale(): Promise<string> {
  throw new Error('scale bench: not written yet');
}
