/**
 * The daemon's JSON shapes, as the rest of the code sees them. Re-exported from
 * dockerode's typings so that only `src/docker/` depends on that package.
 */
import type Dockerode from 'dockerode';

export type ImageSummaryDto = Dockerode.ImageInfo;
export type ImageInspectDto = Dockerode.ImageInspectInfo;
export type ContainerSummaryDto = Dockerode.ContainerInfo;
export type ContainerInspectDto = Dockerode.ContainerInspectInfo;
export type DaemonVersionDto = Dockerode.DockerVersion;

/** One entry of `GET /images/{id}/history`. */
export interface ImageHistoryDto {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

/** The part of `GET /info` dockql reads (the daemon sends more). */
export interface DaemonInfoDto {
  ID?: string;
  Name: string;
  ServerVersion: string;
  Containers: number;
  ContainersRunning: number;
  ContainersPaused: number;
  ContainersStopped: number;
  Images: number;
  Driver: string;
  CgroupDriver?: string;
  CgroupVersion?: string;
  LoggingDriver?: string;
  OperatingSystem: string;
  OSType?: string;
  KernelVersion: string;
  Architecture: string;
  NCPU: number;
  MemTotal: number;
  DockerRootDir: string;
  HttpProxy?: string;
  HttpsProxy?: string;
  NoProxy?: string;
  SystemTime?: string;
  LiveRestoreEnabled?: boolean;
  SecurityOptions?: string[];
  IndexServerAddress?: string;
  Debug?: boolean;
  ExperimentalBuild?: boolean;
  DefaultRuntime?: string;
  Labels?: string[];
  RegistryConfig?: {
    Mirrors?: string[] | null;
    InsecureRegistryCIDRs?: string[] | null;
    IndexConfigs?: Record<string, { Name: string; Secure: boolean; Official?: boolean; Mirrors?: string[] | null }>;
  };
}

/** Filters the daemon's list endpoints take: name -> values (sent as JSON `filters`). */
export type DaemonFilters = Record<string, string[]>;

/** One result of `GET /images/search`. */
export interface ImageSearchDto {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
  is_automated: boolean;
}
