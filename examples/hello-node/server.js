import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 3000);
createServer((request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ hello: 'from butler', path: request.url }));
}).listen(port, () => console.log(`listening on ${port}`));
