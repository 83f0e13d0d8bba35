/**
 * The subscribers of bench/events-fanout.ts, in a process of their own so
 * that the bench process measures the server alone (its CPU, event loop and
 * RSS), as when dashboards run elsewhere. Driven over IPC:
 *
 *   argv: <wsUrl> <subscribers> <connections> <query>
 *   -> { type: 'ready' } once every connection is acknowledged and every subscription sent
 *   <- { type: 'collect', expected, timeoutMs }
 *   -> { type: 'result', settled, records, cpuMs } (cpuMs: this process's CPU time since 'ready')
 *   disconnect: closes everything and exits
 */
import { EventSubscribers } from './event-subscribers';

async function main(): Promise<void> {
  const [wsUrl, subscribers, connections, query] = process.argv.slice(2);
  if (!wsUrl || !subscribers || !connections || !query || !process.send) throw new Error('usage: fork with IPC and <wsUrl> <subscribers> <connections> <query>');
  const pool = await EventSubscribers.connect(wsUrl, Number(connections));
  const stop = async () => {
    await pool.dispose();
    process.exit(0);
  };
  process.on('disconnect', () => void stop());
  process.on('message', (m: { type: string; expected: number; timeoutMs: number }) => {
    if (m.type !== 'collect') return;
    void pool.settle(m.expected, m.timeoutMs).then((settled) => {
      const cpu = process.cpuUsage(readyCpu);
      process.send!({ type: 'result', settled, records: pool.records, cpuMs: (cpu.user + cpu.system) / 1000 });
    });
  });
  pool.subscribe(Number(subscribers), query);
  const readyCpu = process.cpuUsage();
  process.send({ type: 'ready' });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench worker: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
