import type { QmpSocketEntry } from '../profile.ts';
import { JsonObjectSplitter } from '../replay-json-stream.ts';
import { commandOf, formatQmpLog, isReply, isRequest, parseQmpLog, type QmpMessage } from '../replay-qmp-log.ts';
import { badDump } from './dump-inputs.ts';

/**
 * QMP dumps into a profile's `qmp/` folder: libvirt's tests/cputestdata JSON (two replies of QEMU under KVM, no
 * requests) and libvirt's `.replies` conversations (tests/qemucapabilitiesdata), checked before anything is written.
 */
export interface QmpAnswer {
  /** Path inside the profile (`qmp/host.replies`). */
  file: string;
  text: string;
  sockets: QmpSocketEntry[];
}

const describe = (m: QmpMessage) => `${commandOf(m)}${m.id !== undefined ? ` id ${String(m.id)}` : ''}`;

/** Every JSON object of the text; a truncated or broken one is bad input naming the file. */
function jsonObjects(text: string, file: string): Array<{ raw: string; value: QmpMessage }> {
  const splitter = new JsonObjectSplitter();
  const raws = splitter.push(text);
  const rest = splitter.pending;
  if (rest)
    throw badDump(
      file,
      `truncated JSON: the text ends inside an object (${rest.length} characters after the last complete one)`,
    );
  return raws.map((raw, i) => {
    try {
      return { raw, value: JSON.parse(raw) as QmpMessage };
    } catch (err) {
      throw badDump(file, `object ${i + 1} is not valid JSON: ${(err as Error).message}`);
    }
  });
}

/** libvirt cputestdata: the `host` static expansion and query-cpu-definitions replies, ids as libvirt sent them. */
export function readCputestdata(text: string, file: string): QmpAnswer {
  const requests: Record<string, QmpMessage> = {
    'model-expansion': {
      execute: 'query-cpu-model-expansion',
      arguments: { type: 'static', model: { name: 'host' } },
      id: 'model-expansion',
    },
    definitions: { execute: 'query-cpu-definitions', id: 'definitions' },
  };
  const objects = jsonObjects(text, file);
  if (!objects.length) throw badDump(file, 'not libvirt cputestdata: no JSON reply');
  const exchanges = objects.map(({ raw, value }) => {
    const request = requests[String(value.id)];
    if (!request || !isReply(value))
      throw badDump(
        file,
        `not libvirt cputestdata: a reply with id ${String(value.id)} (expected model-expansion, definitions)`,
      );
    return { request, reply: value, replyText: raw };
  });
  const qmpFile = 'qmp/host.replies';
  return {
    file: qmpFile,
    text: formatQmpLog([{ exchanges }]),
    sockets: [
      {
        socket: '*',
        file: qmpFile,
        note:
          'the replies are real; their requests (and the missing greeting and query-version) were written by ' +
          'hwqual profile import',
      },
    ],
  };
}

/** A libvirt `.replies` conversation, stored byte for byte: every request must have its reply, in order. */
export function readReplies(text: string, file: string, name: string): QmpAnswer {
  let pending: { m: QmpMessage; n: number } | undefined;
  let n = 0;
  for (const { value } of jsonObjects(text, file)) {
    n++;
    if (isRequest(value)) {
      if (pending)
        throw badDump(file, `unbalanced conversation: request ${pending.n} (${describe(pending.m)}) has no reply`);
      pending = { m: value, n };
    } else if (isReply(value)) {
      if (!pending) throw badDump(file, `unbalanced conversation: object ${n} is a reply without a request before it`);
      if (value.id !== undefined && pending.m.id !== undefined && value.id !== pending.m.id)
        throw badDump(
          file,
          `unbalanced conversation: request ${pending.n} (${describe(pending.m)}) answered by id ${String(value.id)}`,
        );
      pending = undefined;
    }
  }
  if (pending)
    throw badDump(file, `unbalanced conversation: request ${pending.n} (${describe(pending.m)}) has no reply`);
  const sessions = parseQmpLog(text, file);
  if (!sessions.length) throw badDump(file, 'not a .replies conversation: no request and reply');
  const qmpFile = `qmp/${name}`;
  const sockets: QmpSocketEntry[] = [
    { socket: '*', file: qmpFile, session: 1, note: 'session 1: libvirt probing QEMU with KVM' },
  ];
  if (sessions.length > 1)
    sockets.push({
      socket: 'tcg',
      file: qmpFile,
      session: 2,
      note: 'session 2: libvirt probing a second QEMU with TCG (a socket named tcg)',
    });
  return { file: qmpFile, text, sockets };
}
