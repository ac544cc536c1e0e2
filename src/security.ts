// The limits moved to src/plugins/ (limits, cost, csrf, introspection, body-limit) and the cost
// model to src/cost/. Kept for importers of the default page size from here.
export { DEFAULT_PAGE_SIZE } from './cost/directives.js';
