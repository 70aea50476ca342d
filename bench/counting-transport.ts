import type { ExecOptions, ExecResult } from '../src/model/exec.ts';
import type { FileOptions, Transport } from '../src/transport/types.ts';

/** Wraps a transport and counts the commands that went through it (for commands-per-second figures). */
export class CountingTransport implements Transport {
  commands = 0;
  constructor(private readonly inner: Transport) {}
  get host() {
    return this.inner.host;
  }
  get kind() {
    return this.inner.kind;
  }
  get replayedFrom() {
    return this.inner.replayedFrom;
  }
  connect(signal?: AbortSignal) {
    return this.inner.connect(signal);
  }
  exec(command: string, options?: ExecOptions): Promise<ExecResult> {
    this.commands++;
    return this.inner.exec(command, options);
  }
  readFile(path: string, options?: FileOptions) {
    return this.inner.readFile(path, options);
  }
  writeFile(path: string, data: string | Buffer, options?: FileOptions) {
    return this.inner.writeFile(path, data, options);
  }
  forwardUnixSocket(path: string, options?: FileOptions) {
    return this.inner.forwardUnixSocket(path, options);
  }
  close() {
    return this.inner.close();
  }
}
