// Runs inside a lab namespace (`ip netns exec <ns> node --import tsx probe-host.ts`): builds one
// probe from the JSON on stdin, runs probe() `times` times and prints the results as JSON. The
// shared netns driver host serves observe() only; this one shows probe() results, failures as data.
import { HttpProbe, TcpProbe } from '../../../src/drivers/probes/index.js';

interface Request {
  kind: 'http' | 'tcp';
  config: Record<string, unknown>;
  times?: number;
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d: string) => {
  input += d;
});
process.stdin.on('end', async () => {
  const req = JSON.parse(input) as Request;
  const probe =
    req.kind === 'http' ? new HttpProbe(req.config as never) : new TcpProbe(req.config as never);
  const results = [];
  for (let i = 0; i < (req.times ?? 1); i++)
    results.push(await probe.probe({ signal: AbortSignal.timeout(30_000) }));
  process.stdout.write(JSON.stringify(results));
});
