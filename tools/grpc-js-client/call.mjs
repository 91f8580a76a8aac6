// Calls the example grpc-echo app through a Dapr sidecar's gRPC proxying with @grpc/grpc-js, the gRPC library of
// Node.js (not .NET's), and prints what came back as one JSON object:
//   node call.mjs <sidecar gRPC address> <app id> [dapr-api-token]
// It makes one call of each kind (unary Say, server-streaming Count, bidirectional Chat) and one Wait with a 300 ms
// deadline, which must end in DEADLINE_EXCEEDED. GrpcProxyTests runs it against the local sidecar.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

const [address, appId, token] = process.argv.slice(2);
if (!address || !appId) {
  console.error('usage: node call.mjs <sidecar gRPC address> <app id> [dapr-api-token]');
  process.exit(2);
}

const here = path.dirname(fileURLToPath(import.meta.url));
const definition = protoLoader.loadSync(path.join(here, '../../examples/GrpcEcho/Protos/echo.proto'), { keepCase: false });
const Echo = grpc.loadPackageDefinition(definition).daprshop.examples.echo.v1.Echo;
const client = new Echo(address, grpc.credentials.createInsecure());

function metadata() {
  const md = new grpc.Metadata();
  md.set('dapr-app-id', appId);
  md.set('x-custom', 'from-node');
  if (token) md.set('dapr-api-token', token);
  return md;
}

const say = () => new Promise((resolve, reject) =>
  client.Say({ text: 'from grpc-js' }, metadata(), (error, reply) => (error ? reject(error) : resolve(reply))));

const count = () => new Promise((resolve, reject) => {
  const texts = [];
  const call = client.Count({ text: 'n', count: 3 }, metadata());
  call.on('data', (reply) => texts.push(reply.text));
  call.on('error', reject);
  call.on('end', () => resolve(texts));
});

const chat = () => new Promise((resolve, reject) => {
  const texts = [];
  const call = client.Chat(metadata());
  call.on('data', (reply) => texts.push(reply.text));
  call.on('error', reject);
  call.on('end', () => resolve(texts));
  call.write({ text: 'ping' });
  call.write({ text: 'pong' });
  call.end();
});

const waitPastDeadline = () => new Promise((resolve) =>
  client.Wait({ tag: `node-${process.pid}` }, metadata(), { deadline: Date.now() + 300 }, (error) =>
    resolve(error ? grpc.status[error.code] : 'OK')));

try {
  const result = { say: await say(), count: await count(), chat: await chat(), wait: await waitPastDeadline() };
  console.log(JSON.stringify(result));
  client.close();
} catch (error) {
  console.error(`${grpc.status[error.code] ?? 'ERROR'}: ${error.details ?? error.message}`);
  client.close();
  process.exit(1);
}
