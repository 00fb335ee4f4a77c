import type { FastifyReply } from 'fastify';
import type { IngestResult } from '../ingest/ingest.service';

/** 204 with no body, or 200 {"message_id"} when the caller asked for sync_message; the event id also rides a header. */
export function answerAccepted(res: FastifyReply, result: IngestResult, sync: boolean) {
  void res.header('x-zapgate-event-id', result.eventId);
  if (result.duplicate) void res.header('x-zapgate-duplicate', 'true');
  return sync ? res.status(200).send({ message_id: result.eventId }) : res.status(204).send();
}
