'use strict';

const fastify = require('fastify')({ logger: true });
const { region } = require('./config');

fastify.get('/', async () => ({ message: 'hello from node-with-dockerfile', region }));
fastify.get('/health', async () => ({ status: 'ok' }));

fastify.listen({ port: 3000, host: '0.0.0.0' }).catch((error) => {
  fastify.log.error(error);
  process.exit(1);
});
