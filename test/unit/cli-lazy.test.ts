import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMANDS, commandRegistrars } from '../../src/cli/commands/index.ts';
import { PhaseTimings } from '../../src/cli/phase-timings.ts';

const argv = (...args: string[]) => ['node', 'hwqual', ...args];

describe('CLI: commands load lazily', () => {
  it("each entry's file registers exactly the command it is listed under", async () => {
    for (const c of COMMANDS) {
      const program = new Command();
      (await c.load()).register(program);
      expect(program.commands.map((x) => x.name())).toEqual([c.name]);
    }
  });

  it('loads only the named subcommand, none for --version, all for help or an unknown word', async () => {
    expect(await commandRegistrars(argv('run', '--lab', 'l.yaml'))).toHaveLength(1);
    const [register] = await commandRegistrars(argv('lab', 'up'));
    const program = new Command();
    register!(program);
    expect(program.commands.map((x) => x.name())).toEqual(['lab']);
    expect(await commandRegistrars(argv('--version'))).toHaveLength(0);
    expect(await commandRegistrars(argv())).toHaveLength(COMMANDS.length);
    expect(await commandRegistrars(argv('help', 'run'))).toHaveLength(COMMANDS.length);
    expect(await commandRegistrars(argv('nonsense'))).toHaveLength(COMMANDS.length);
  });
});

describe('PhaseTimings', () => {
  it('counts start-up from the process start and each phase from the previous mark', () => {
    let now = 500;
    const t = new PhaseTimings(() => now);
    now = 700;
    t.mark('configs');
    now = 1700;
    t.mark('cases');
    expect(t.list()).toEqual([
      { name: 'start-up', ms: 500 },
      { name: 'configs', ms: 200 },
      { name: 'cases', ms: 1000 },
    ]);
    expect(t.format()).toBe('start-up 0.50 s, configs 0.20 s, cases 1.00 s (total 1.70 s)');
  });
});
