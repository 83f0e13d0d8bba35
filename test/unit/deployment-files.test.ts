/**
 * The deployment files cannot be built here (no base image can be pulled), so
 * this guards them against drift from the code: the health route they probe,
 * the port, the non-root user, the socket mount, the tokens file a container
 * needs, the settings they name, and the reload signal.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SETTINGS } from '../../src/config';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const dockerfile = read('Dockerfile');
const compose = read('compose.yaml');
const unit = read('deploy/dockql.service');
const nginx = read('deploy/nginx.conf');
const dockerignore = read('.dockerignore');

/** Instruction lines of the Dockerfile (comments and continuations left out). */
const instructions = dockerfile.split('\n').filter((l) => /^[A-Z]+\s/.test(l));

describe('Dockerfile', () => {
  it('builds on the official Node 20 image in two stages: npm ci and build, then production dependencies and dist', () => {
    expect(dockerfile).toMatch(/^ARG NODE_VERSION=20$/m);
    expect(instructions.filter((l) => l.startsWith('FROM '))).toEqual(['FROM node:${NODE_VERSION}-bookworm-slim AS build', 'FROM node:${NODE_VERSION}-bookworm-slim AS runtime']);
    expect(dockerfile).toMatch(/RUN npm ci --no-audit --no-fund\n/);
    expect(dockerfile).toContain('RUN npm run build');
    expect(dockerfile).toContain('npm ci --omit=dev');
    expect(dockerfile).toContain('COPY --from=build /app/dist ./dist');
  });

  it('runs as the non-root dockql user in the socket\'s group (DOCKER_GID)', () => {
    expect(instructions).toContain('USER dockql');
    expect(dockerfile).toMatch(/^ARG DOCKER_GID=\d+$/m);
    expect(dockerfile).toMatch(/useradd .*--groups .*DOCKER_GID/);
  });

  it('probes /healthz with node on the exposed port, and starts node dist/main.js', () => {
    const healthcheck = dockerfile.slice(dockerfile.indexOf('HEALTHCHECK'));
    expect(healthcheck).toMatch(/CMD \["node", "-e", .*\/healthz/);
    expect(instructions).toContain('EXPOSE 4000');
    expect(dockerfile).toMatch(/DOCKQL_PORT=4000/);
    expect(instructions).toContain('CMD ["node", "dist/main.js"]');
  });

  it('listens on 0.0.0.0 only with a tokens file, and names the daemon so no private engine is started', () => {
    expect(dockerfile).toMatch(/DOCKQL_HOST=0\.0\.0\.0/);
    expect(dockerfile).toMatch(/DOCKQL_TOKENS_FILE=\/etc\/dockql\/tokens\.json/);
    expect(dockerfile).toMatch(/DOCKER_HOST=unix:\/\/\/var\/run\/docker\.sock/);
  });

  it('keeps tokens, archives, dependencies and build output out of the build context', () => {
    for (const entry of ['node_modules', 'dist', '.git', 'archives', '.dockql', 'secrets', '**/tokens.json']) expect(dockerignore.split('\n')).toContain(entry);
  });
});

describe('compose.yaml', () => {
  it('mounts the socket, the tokens directory and an archive volume, and publishes on loopback', () => {
    expect(compose).toContain('- /var/run/docker.sock:/var/run/docker.sock');
    expect(compose).toContain('DOCKQL_TOKENS_FILE: /etc/dockql/tokens.json');
    expect(compose).toContain('- ./secrets:/etc/dockql:ro');
    expect(compose).toContain('- archives:/var/lib/dockql/archives');
    expect(compose).toContain('- "127.0.0.1:4000:4000"');
    expect(compose).toContain('DOCKER_GID: ${DOCKER_GID:-999}');
  });
});

describe('deploy/dockql.service', () => {
  it('runs node dist/main.js as a dedicated user in the docker group, reloads tokens on SIGHUP, restarts on failure', () => {
    expect(unit).toMatch(/^User=dockql$/m);
    expect(unit).toMatch(/^SupplementaryGroups=docker$/m);
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/node \/opt\/dockql\/dist\/main\.js$/m);
    expect(unit).toMatch(/^EnvironmentFile=\/etc\/dockql\/env$/m);
    expect(unit).toMatch(/^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
    expect(unit).toMatch(/^Restart=on-failure$/m);
  });

  it('is hardened with only the archive directory writable', () => {
    for (const line of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'ReadWritePaths=/var/lib/dockql/archives', 'PrivateTmp=yes']) expect(unit).toMatch(new RegExp(`^${line}$`, 'm'));
    expect(unit).toMatch(/^Environment=DOCKQL_ARCHIVE_DIR=\/var\/lib\/dockql\/archives$/m);
    expect(unit).not.toMatch(/^MemoryDenyWriteExecute=yes/m);
  });
});

describe('deploy/nginx.conf', () => {
  it('upgrades WebSockets, forwards Host for the Origin check, and keeps subscriptions open', () => {
    for (const line of ['proxy_http_version 1.1;', 'proxy_set_header Upgrade $http_upgrade;', 'proxy_set_header Connection $connection_upgrade;', 'proxy_set_header Host $http_host;', 'proxy_read_timeout 1h;']) {
      expect(nginx).toContain(line);
    }
  });
});

describe('settings the deployment files name', () => {
  it('are all real settings', () => {
    const known = new Set<string>(Object.values(SETTINGS).flatMap((s) => [s.env, 'fallbackEnv' in s ? s.fallbackEnv : s.env]));
    known.add('NODE_ENV');
    const named = new Set([...`${dockerfile}\n${compose}\n${unit}\n${nginx}`.matchAll(/\b((?:DOCKQL|DOCKER)_[A-Z_]+|LOG_LEVEL)\b/g)].map((m) => m[1]!));
    // A build argument, not a setting.
    named.delete('DOCKER_GID');
    expect([...named].filter((name) => !known.has(name))).toEqual([]);
  });
});
