/**
 * Input types of the admin-only parts of ContainerInput: host bind mounts,
 * devices and sysctls. Which inputs need admin is decided in one place,
 * `privileged-inputs.ts`; these types only describe the shape.
 */
import { Field, InputType } from 'type-graphql';

@InputType({ description: 'A host directory or file mounted into the container, like `-v /host/path:/path[:ro]` (sent to the daemon as a typed bind mount). Admin only: it gives the container the host\'s files.' })
export class BindMountInput {
  @Field({ description: 'Absolute, normalized path on the Docker host (no "..", ".", "//" or control characters). It must exist: a missing one is refused by the daemon, never created.' })
  hostPath!: string;

  @Field({ description: 'Absolute path inside the container, e.g. /data (not /, no "..").' })
  containerPath!: string;

  @Field(() => Boolean, { nullable: true, defaultValue: false, description: 'Mount read-only (:ro).' })
  readOnly?: boolean | null;
}

@InputType({ description: 'A host device made available in the container, like `--device /dev/host:/dev/ctr:rwm`. Admin only.' })
export class DeviceInput {
  @Field({ description: 'Absolute, normalized path of the device on the Docker host, e.g. /dev/fuse.' })
  hostPath!: string;

  @Field(() => String, { nullable: true, description: 'Absolute path inside the container. Null: the same as hostPath.' })
  containerPath?: string | null;

  @Field(() => String, { nullable: true, defaultValue: 'rwm', description: 'Cgroup permissions: one or more of r (read), w (write), m (mknod), e.g. "r" or "rw". Default "rwm", as docker.' })
  permissions?: string | null;
}

@InputType({ description: 'A namespaced kernel parameter set in the container, like `--sysctl net.ipv4.ip_unprivileged_port_start=80`. Admin only.' })
export class SysctlInput {
  @Field({ description: 'The sysctl, one docker accepts as namespaced: net.* (not with networkMode host), fs.mqueue.*, or kernel.msgmax, msgmnb, msgmni, sem, shmall, shmmax, shmmni, shm_rmid_forced (not with ipcMode host).' })
  name!: string;

  @Field({ description: 'Its value, e.g. "80" or "250 32000 32 128" (no control characters).' })
  value!: string;
}
