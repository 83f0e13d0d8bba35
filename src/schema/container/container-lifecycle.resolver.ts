import { RequiresRole } from '../../auth/roles';
import { Arg, Ctx, ID, Int, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { ContainerInput } from './container-input.type';
import { Container } from './container.type';

const REF = { description: 'Full id, unique id prefix, or name. Unknown is NOT_FOUND.' };
const AFTER = 'Returns the container re-inspected after the action (so `state` is already the new one).';
const PRIVILEGED = 'The privileged inputs (binds, privileged, capAdd, devices, pidMode, sysctls, loosening securityOpt, networkMode host or container:<id>, ipcMode host or container:<id>) need the admin role: anyone else gets FORBIDDEN and nothing is created.';

/** `docker create/run/start/stop/restart/kill/pause/unpause/rename/rm`: one line each, the service does the work. */
@Resolver()
export class ContainerLifecycleResolver {
  @RequiresRole('operator')
  @Mutation(() => Container, { description: `Like \`docker create\` (-i is openStdin, -t is tty, --name is name): the container stays CREATED until started. Never pulls: a missing image is NOT_FOUND. A taken name is CONFLICT. ${PRIVILEGED}` })
  createContainer(@Arg('input', () => ContainerInput, { description: 'What to create it with (an allow-list; checked before the daemon is asked).' }) input: ContainerInput, @Ctx() ctx: Context): Promise<Container> {
    return ctx.services.containerLifecycle.create(input, ctx.principal);
  }

  @RequiresRole('operator')
  @Mutation(() => Container, {
    description: `Like \`docker run -d\`: create, then start. ${AFTER} ${PRIVILEGED} When the start fails the error has the daemon's code and words, and extensions.containerId / containerRemoved say whether the created container is still there (it is, as with docker run, unless autoRemove).`,
  })
  runContainer(@Arg('input', () => ContainerInput, { description: 'What to run (an allow-list; checked before the daemon is asked).' }) input: ContainerInput, @Ctx() ctx: Context): Promise<Container> {
    return ctx.services.containerLifecycle.run(input, ctx.principal);
  }

  @RequiresRole('operator')
  @Mutation(() => Container, { description: `Like \`docker start\`. Starting a running container succeeds. A paused one is CONFLICT (unpause it). ${AFTER}` })
  startContainer(@Arg('ref', REF) ref: string, @Ctx() ctx: Context): Promise<Container> {
    return ctx.services.containerLifecycle.start(ref);
  }

  @RequiresRole('operator')
  @Mutation(() => Container, { description: `Like \`docker stop [-t]\`: SIGTERM (or the image's stop signal), then SIGKILL after the timeout. Stopping a stopped container succeeds. ${AFTER}` })
  stopContainer(
    @Arg('ref', REF) ref: string,
    @Arg('timeout', () => Int, { nullable: true, description: 'Seconds to wait before SIGKILL (0-3600; 0 kills at once). Null: the container\'s own stop timeout (10 s unless set).' }) timeout: number | null,
    @Ctx() ctx: Context,
  ): Promise<Container> {
    return ctx.services.containerLifecycle.stop(ref, timeout ?? null);
  }

  @RequiresRole('operator')
  @Mutation(() => Container, { description: `Like \`docker restart [-t]\`: stop (as stopContainer), then start; also starts a stopped or created container. ${AFTER}` })
  restartContainer(
    @Arg('ref', REF) ref: string,
    @Arg('timeout', () => Int, { nullable: true, description: 'Seconds to wait for the stop before SIGKILL (0-3600). Null: the container\'s own stop timeout.' }) timeout: number | null,
    @Ctx() ctx: Context,
  ): Promise<Container> {
    return ctx.services.containerLifecycle.restart(ref, timeout ?? null);
  }

  @RequiresRole('operator')
  @Mutation(() => Container, {
    description: `Like \`docker kill -s\`. A container that is not running is CONFLICT. With SIGKILL the daemon waits for the exit; with other signals the returned state may still be RUNNING (the process decides what the signal does). ${AFTER}`,
  })
  killContainer(
    @Arg('ref', REF) ref: string,
    @Arg('signal', () => String, { nullable: true, defaultValue: 'SIGKILL', description: 'A name with or without SIG, any case (SIGTERM, HUP, RTMIN+3) or a number from 1 to 64.' }) signal: string | null,
    @Ctx() ctx: Context,
  ): Promise<Container> {
    return ctx.services.containerLifecycle.kill(ref, signal ?? 'SIGKILL');
  }

  @RequiresRole('operator')
  @Mutation(() => Container, { description: `Like \`docker pause\`: freezes every process (cgroup freezer). A container that is not running, or already paused, is CONFLICT. ${AFTER}` })
  pauseContainer(@Arg('ref', REF) ref: string, @Ctx() ctx: Context): Promise<Container> {
    return ctx.services.containerLifecycle.pause(ref);
  }

  @RequiresRole('operator')
  @Mutation(() => Container, { description: `Like \`docker unpause\`. A container that is not paused is CONFLICT. ${AFTER}` })
  unpauseContainer(@Arg('ref', REF) ref: string, @Ctx() ctx: Context): Promise<Container> {
    return ctx.services.containerLifecycle.unpause(ref);
  }

  @RequiresRole('operator')
  @Mutation(() => Container, { description: `Like \`docker rename\`. A taken name is CONFLICT. ${AFTER}` })
  renameContainer(
    @Arg('ref', REF) ref: string,
    @Arg('name', { description: 'The new name: [a-zA-Z0-9][a-zA-Z0-9_.-]+.' }) name: string,
    @Ctx() ctx: Context,
  ): Promise<Container> {
    return ctx.services.containerLifecycle.rename(ref, name);
  }

  @RequiresRole('operator')
  @Mutation(() => ID, { description: 'Like `docker rm [-f] [-v]`. Returns the removed container\'s full id. A running container without force is CONFLICT.' })
  removeContainer(
    @Arg('ref', REF) ref: string,
    @Arg('force', () => Boolean, { nullable: true, defaultValue: false, description: 'Like `docker rm -f`: kill it first when running.' }) force: boolean | null,
    @Arg('volumes', () => Boolean, { nullable: true, defaultValue: false, description: 'Like `docker rm -v`: also remove its anonymous volumes (named volumes stay).' }) volumes: boolean | null,
    @Ctx() ctx: Context,
  ): Promise<string> {
    return ctx.services.containerLifecycle.remove(ref, force ?? false, volumes ?? false);
  }
}
