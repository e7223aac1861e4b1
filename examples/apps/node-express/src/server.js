'use strict';

const express = require('express');

const app = express();
const port = Number(process.env.PORT || 4000);

app.get('/', (_req, res) => {
  res.json({ message: 'hello from node-express' });
});

app.get('/health', (_req, res) => {
  res.json({ status: 'ok' });
});

const server = app.listen(port, () => {
  console.log(`node-express listening on ${port}`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
