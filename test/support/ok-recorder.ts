/** A stand-in for a case's `check` that keeps each assertion recordFlagCheck makes: name, outcome, failure message. */
export function okRecorder() {
  const rows: Array<{ name: string; passed: boolean; message?: string }> = [];
  return {
    rows,
    ok: (name: string, passed: boolean, d?: { message?: string }) => {
      rows.push({ name, passed, ...(passed ? {} : { message: d?.message }) });
      return passed;
    },
  };
}
