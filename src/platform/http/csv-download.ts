// A CSV sent as a download (payment files, report and ledger exports, import bad rows): UTF-8,
// saved under `fileName` rather than shown, and never kept by a cache, as these files carry
// personal or financial data. `fileName` must be safe in a header (letters, digits, . _ -).
import type { FastifyReply } from 'fastify';

export function csvDownload(reply: FastifyReply, fileName: string): FastifyReply {
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${fileName}"`)
    .header('cache-control', 'no-store');
}
