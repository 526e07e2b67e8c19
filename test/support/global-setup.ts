// Creates the MariaDB databases the component tests use; fails loudly if MariaDB is unreachable.
import mysql from 'mysql2/promise';
import { MARIADB_URL_BASE, mariadbDatabases } from './databases.js';

export default async function setup(): Promise<void> {
  const conn = await mysql.createConnection(`${MARIADB_URL_BASE}/`);
  try {
    for (const db of mariadbDatabases) {
      await conn.query(`DROP DATABASE IF EXISTS \`${db}\``);
      await conn.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    }
  } finally {
    await conn.end();
  }
}
