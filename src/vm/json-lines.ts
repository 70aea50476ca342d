import type { Duplex } from 'node:stream';

/** Calls onMessage for each JSON object on a newline-separated stream (QMP and the guest agent both speak this). */
export function readJsonLines(
  stream: Duplex,
  onMessage: (msg: Record<string, unknown>) => void,
  onBadLine?: (line: string) => void,
): void {
  let buffer = '';
  stream.on('data', (chunk: Buffer | string) => {
    buffer += chunk.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer
        .slice(0, nl)
        .replace(/[\r\xff]/g, '')
        .trim();
      buffer = buffer.slice(nl + 1);
      if (!line) continue;
      try {
        const parsed = JSON.parse(line) as unknown;
        if (parsed && typeof parsed === 'object') onMessage(parsed as Record<string, unknown>);
      } catch {
        onBadLine?.(line);
      }
    }
  });
}
