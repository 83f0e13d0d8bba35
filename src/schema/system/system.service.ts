/** Maps `GET /version` and `GET /info` to the schema's types. */
import { APP_INFO } from '../../app-info';
import type { DockerClient } from '../../docker/client';
import type { DaemonInfoDto } from '../../docker/types';
import type { DaemonInfo, VersionReport } from './system.type';

/** Host-level facts: `docker version` and `docker info`. */
export class SystemService {
  constructor(private readonly docker: DockerClient) {}

  /** Like `docker version`. */
  async version(): Promise<VersionReport> {
    const [v, apiVersion] = await Promise.all([this.docker.version(), this.docker.apiVersion()]);
    return {
      client: { name: APP_INFO.name, version: APP_INFO.version, apiVersion },
      server: {
        version: v.Version,
        apiVersion: v.ApiVersion,
        minApiVersion: (v as { MinAPIVersion?: string }).MinAPIVersion ?? '',
        os: v.Os,
        arch: v.Arch,
        kernelVersion: v.KernelVersion ?? '',
        goVersion: v.GoVersion ?? '',
        gitCommit: v.GitCommit ?? '',
        buildTime: v.BuildTime ? String(v.BuildTime) : undefined,
        experimental: Boolean((v as { Experimental?: boolean | string }).Experimental === true || (v as { Experimental?: string }).Experimental === 'true'),
      },
    };
  }

  /** Like `docker info`. */
  async info(): Promise<DaemonInfo> {
    return toDaemonInfo(await this.docker.info());
  }
}

/** Maps the daemon's `/info` answer; empty strings become null as `docker info` omits them. */
export function toDaemonInfo(i: DaemonInfoDto): DaemonInfo {
  const registry = i.RegistryConfig ?? {};
  const insecureIndexes = Object.values(registry.IndexConfigs ?? {})
    .filter((c) => !c.Secure && c.Name !== 'docker.io')
    .map((c) => c.Name);
  return {
    id: i.ID || undefined,
    name: i.Name,
    serverVersion: i.ServerVersion,
    containers: i.Containers,
    containersRunning: i.ContainersRunning,
    containersPaused: i.ContainersPaused,
    containersStopped: i.ContainersStopped,
    images: i.Images,
    storageDriver: i.Driver,
    cgroupDriver: i.CgroupDriver ?? '',
    cgroupVersion: i.CgroupVersion ?? '',
    loggingDriver: i.LoggingDriver ?? '',
    operatingSystem: i.OperatingSystem,
    kernelVersion: i.KernelVersion,
    architecture: i.Architecture,
    cpus: i.NCPU,
    memoryBytes: i.MemTotal,
    dockerRootDir: i.DockerRootDir,
    registryMirrors: registry.Mirrors ?? [],
    insecureRegistries: [...new Set([...(registry.InsecureRegistryCIDRs ?? []), ...insecureIndexes])],
    httpProxy: i.HttpProxy || undefined,
    httpsProxy: i.HttpsProxy || undefined,
    noProxy: i.NoProxy || undefined,
    systemTime: i.SystemTime || undefined,
    liveRestoreEnabled: Boolean(i.LiveRestoreEnabled),
    securityOptions: i.SecurityOptions ?? [],
    defaultRuntime: i.DefaultRuntime || undefined,
    indexServerAddress: i.IndexServerAddress || undefined,
  };
}
