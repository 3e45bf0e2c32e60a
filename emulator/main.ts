// CLI: tsx emulator/main.ts --scenario FILE [--port N] [--host H] [--log]
import { parseArgs } from 'node:util';
import { loadScenario, ScenarioError, type Scenario } from './scenario';
import { startEmulator } from './server';

const USAGE =
  'usage: tsx emulator/main.ts --scenario FILE [--port N (default 8080, env EMULATOR_PORT)] [--host H] [--log]';

async function main(): Promise<void> {
  let values: { scenario?: string; port?: string; host?: string; log?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        scenario: { type: 'string', short: 's' },
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        log: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.scenario) {
    console.error(`missing --scenario\n${USAGE}`);
    process.exit(2);
  }
  const port = Number(values.port ?? process.env.EMULATOR_PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`invalid port ${values.port ?? process.env.EMULATOR_PORT ?? ''}\n${USAGE}`);
    process.exit(2);
  }
  let scenario: Scenario;
  try {
    scenario = loadScenario(values.scenario);
  } catch (e) {
    if (e instanceof ScenarioError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const emu = await startEmulator({
    scenario,
    port,
    ...(values.host ? { host: values.host } : {}),
    log: values.log ?? false,
  });
  const instances = scenario.accounts.map((a) =>
    Object.entries(a.regions ?? {}).map(
      ([r, spec]) =>
        `${a.id}/${r}=${(spec.instances?.length ?? 0) + (spec.generate ?? []).reduce((n, g) => n + g.count, 0)}`,
    ),
  );
  console.log(
    `emulator listening on ${emu.url} (scenario ${values.scenario}, accounts: ${scenario.accounts.map((a) => a.id).join(',')}, instances: ${instances.flat().join(' ') || 'none'})`,
  );
  for (const a of scenario.accounts) {
    for (const u of a.users ?? []) {
      console.log(
        `worker credentials (${a.id}/${u.name}): ALIBABA_CLOUD_ACCESS_KEY_ID=${u.accessKeyId} ALIBABA_CLOUD_ACCESS_KEY_SECRET=${u.accessKeySecret} ALICLOUD_ENDPOINT=${emu.endpoint}`,
      );
    }
  }
  const stop = (signal: string): void => {
    console.log(`emulator: ${signal}, shutting down`);
    emu.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e: unknown) => {
  console.error('emulator failed:', e);
  process.exit(1);
});
