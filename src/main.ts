// Entry point: load config, start the service, print where to open it, stop cleanly on signals.
import { ConfigError, loadConfig } from './config/load-config.js';
import { startService } from './service.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const service = await startService(config);
  service.logger.info({ url: service.url, database: config.database.type }, 'service started');
  process.stdout.write(
    `\n物业客服机器人已启动（数据库：${config.database.type}）\n网页客服：${service.url}/\n` +
      `管理后台：${service.url}/console\n健康检查：${service.url}/healthz\n\n`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    service.logger.info({ signal }, 'stopping');
    await service.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('unhandledRejection', (err) => service.logger.error({ err }, 'unhandled rejection'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
  else process.stderr.write(`启动失败：${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
