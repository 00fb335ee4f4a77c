import { z } from 'zod';

/** A channel's or bot's unique name, as Cliq's URLs carry it. */
export const UNIQUE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;
/** A chat id (Cliq's look like `CT_1234…` or `2230…:…`). */
export const CHAT_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,100}$/;

export const UniqueNameSchema = z.string().regex(UNIQUE_NAME_PATTERN, 'must be 1–100 letters, digits, _ or -');
export const ChatIdSchema = z.string().regex(CHAT_ID_PATTERN, 'must be a chat id');
