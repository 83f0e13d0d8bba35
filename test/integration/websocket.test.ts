/**
 * The WebSocket path (graphql-ws on /graphql) serves the same schema with the
 * same context and the same error policy as HTTP.
 */
import type { Client } from 'graphql-ws';
import { startTestApp, type TestApp } from '../support/app';
import { BUSYBOX } from '../support/fixtures';
import { gql, wsClient, wsQuery } from '../support/graphql';

let api: TestApp;
let client: Client;

beforeAll(async () => {
  api = await startTestApp();
  client = wsClient(api.wsUrl);
});

afterAll(async () => {
  await client?.dispose();
  await api?.stop();
});

it('answers a host-state query over WebSocket exactly as over HTTP', async () => {
  const query = `{ version { server { apiVersion } } images { id repoTags } image(ref: "${BUSYBOX}") { shortId } containers { id } }`;
  const [overHttp, overWs] = await Promise.all([gql(api.graphqlUrl, query), wsQuery(client, query)]);
  expect(overWs.errors).toBeUndefined();
  expect(overWs.data).toEqual(overHttp.data);
});

it('reports bad input over WebSocket with the same code as over HTTP', async () => {
  const query = '{ image(ref: "bb:1?force=true") { id } }';
  const [overHttp, overWs] = await Promise.all([gql(api.graphqlUrl, query), wsQuery(client, query)]);
  expect(overWs.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  expect(overWs.errors?.[0]?.message).toBe(overHttp.errors?.[0]?.message);
  expect(overWs.errors?.[0]?.extensions).not.toHaveProperty('stacktrace');
});

it('refuses an invalid operation over WebSocket with GRAPHQL_VALIDATION_FAILED and keeps the socket usable', async () => {
  await expect(wsQuery(client, '{ noSuchField }')).rejects.toEqual([
    expect.objectContaining({ message: expect.stringContaining('noSuchField'), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
  ]);
  const after = await wsQuery<{ __typename: string }>(client, '{ __typename }');
  expect(after.data).toEqual({ __typename: 'Query' });
});
