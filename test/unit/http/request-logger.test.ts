import express from 'express';
import request from 'supertest';
import { createLogger } from '../../../src/lib/logger';
import { addToRequestLog, requestLogger } from '../../../src/http/middleware/request-logger';

function appLogging(level: string) {
  const lines: Record<string, unknown>[] = [];
  const root = createLogger(level, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const app = express();
  app.use(requestLogger(root));
  app.post('/quiet', (_req, res) => {
    addToRequestLog(res, { comments: ['c1'] });
    res.status(202).end();
  });
  app.get('/talks', (req, res) => {
    req.log.warn({ step: 'lookup' }, 'slow lookup');
    res.end('ok');
  });
  return { app, lines };
}

describe('requestLogger', () => {
  it('writes one line per request with its id, route, status and what the handler added — never the body', async () => {
    const { app, lines } = appLogging('info');
    const res = await request(app).post('/quiet').send({ text: 'Bande de charlots' });
    expect(res.status).toBe(202);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'request', method: 'POST', path: '/quiet', status: 202, comments: ['c1'], reqId: res.headers['x-request-id'] });
    expect(JSON.stringify(lines)).not.toContain('charlots');
  });

  it('writes no request line below info level', async () => {
    const { app, lines } = appLogging('warn');
    const res = await request(app).post('/quiet').send({});
    expect(res.status).toBe(202);
    expect(lines).toEqual([]);
  });

  it("gives the handler's own lines the request id", async () => {
    const { app, lines } = appLogging('warn');
    const res = await request(app).get('/talks');
    expect(lines).toEqual([expect.objectContaining({ msg: 'slow lookup', step: 'lookup', reqId: res.headers['x-request-id'] })]);
  });
});
