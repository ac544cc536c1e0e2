// The image's HEALTHCHECK: the slim image has no curl or wget, node is there. Exit 0 when GET
// /health answers 200 within 2 s, 1 otherwise (Docker marks the container unhealthy).
const port = process.env.PORT || '4000';
fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) })
  .then((res) => process.exit(res.status === 200 ? 0 : 1))
  .catch(() => process.exit(1));
