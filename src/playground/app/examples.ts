/**
 * The playground's ready-made operations: what ops reach for first. Plain
 * strings in their own module so that tests can prove each one is valid
 * against the schema and within the request limits (test/integration/request-limits.test.ts).
 * Tab titles in GraphiQL come from the operation name; the leading comment
 * says what the tab is for.
 */

/** One example tab. */
export interface PlaygroundExample {
  readonly query: string;
  /** JSON text for the Variables editor. */
  readonly variables?: string;
}

const HOST_OVERVIEW = `# Host overview: engine, daemon, images, containers
query HostOverview {
  version {
    client { version }
    server { version apiVersion os arch }
  }
  info {
    name serverVersion
    containers containersRunning images
    storageDriver registryMirrors insecureRegistries
  }
  images { shortId repoTags size created }
  containers { shortId name state status imageRef }
}
`;

const CONTAINERS_AND_IMAGES = `# Containers and their images
{
  containers {
    name
    state
    image {
      repoTags
      containers { name }
    }
  }
}
`;

const ONE_IMAGE = `# One image by reference (see Variables)
query OneImage($ref: String!) {
  image(ref: $ref) {
    id repoTags created size os architecture cmd env
  }
}
`;

const PULL_WITH_PROGRESS = `# Pull with progress: run StartPull, copy the id into Variables, run WatchPull
mutation StartPull($ref: String!) {
  pullImage(ref: $ref, wait: false) { id status ref }
}

subscription WatchPull($id: ID!) {
  pullProgress(id: $id) {
    status current total error
    layers { id status current total }
  }
}
`;

const EVENTS = `# Container events as they happen (start or stop a container to see one)
subscription ContainerEvents {
  containerEvents {
    action time name image exitCode containerId
  }
}
`;

const SAVE_AND_LOAD = `# Save an image into the archive directory, then load an archive back
mutation SaveImage($ref: String!) {
  saveImages(refs: [$ref]) {
    id status
    archive { name size sha256 downloadUrl }
  }
}

mutation LoadArchive($archive: String!) {
  loadImages(archive: $archive) {
    id status error
    images { id repoTags }
  }
}

query Archives {
  archives { name kind origin size createdAt contents downloadUrl }
}
`;

/** The tabs a first visit opens with, in order. */
export const PLAYGROUND_EXAMPLES: readonly PlaygroundExample[] = [
  { query: HOST_OVERVIEW },
  { query: CONTAINERS_AND_IMAGES },
  { query: ONE_IMAGE, variables: '{\n  "ref": "dockql/busybox:latest"\n}\n' },
  { query: PULL_WITH_PROGRESS, variables: '{\n  "ref": "dockql/busybox:latest",\n  "id": "paste the pull id here"\n}\n' },
  { query: EVENTS },
  { query: SAVE_AND_LOAD, variables: '{\n  "ref": "dockql/busybox:latest",\n  "archive": "dockql_busybox_latest.tar"\n}\n' },
];
