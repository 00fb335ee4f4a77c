import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ChatIdSchema, UniqueNameSchema, Scopes } from '@zapgate/contracts';
import { dataList, parseOrThrow, ZodApiBody, ZodApiQuery, ZodApiResponse } from '@zapgate/platform';
import { ApiTokenAuth, Principal, RequireScope, TokenAuthGuard, type VerifiedToken } from '@zapgate/token-client';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { DispatchErrorCodes, DispatchException } from '../dispatch.exception';
import { ChannelStore } from './channel-store.service';
import { MembersSchema, targetView, TargetViewSchema } from './message.view';
import { collectionKind, COLLECTIONS } from './target';
import { TargetAccess } from './target-access.service';

const CreateChannelSchema = z.object({ unique_name: UniqueNameSchema, title: z.string().min(1).max(200).optional() });
const CreateChatSchema = z.object({
  chat_id: ChatIdSchema.optional(),
  title: z.string().min(1).max(200).optional(),
  user_ids: z.array(z.uuid()).max(100).default([]),
});
const AddMembersSchema = z
  .object({ user_ids: z.array(z.uuid()).max(100).default([]), bot_unique_names: z.array(UniqueNameSchema).max(20).default([]) })
  .refine((b) => b.user_ids.length + b.bot_unique_names.length > 0, 'give user_ids or bot_unique_names');
const MemberKindQuery = z.looseObject({ kind: z.enum(['user', 'bot']).default('user') });

/** Channels and chats, and who is in them: only members may read, post or add others. */
@ApiTags('channels')
@Controller('api/v2')
@ApiTokenAuth()
@UseGuards(TokenAuthGuard)
export class MembersController {
  constructor(
    private readonly store: ChannelStore,
    private readonly access: TargetAccess,
  ) {}

  @Post('channels')
  @RequireScope(Scopes.ChannelsCreate)
  @ZodApiBody(CreateChannelSchema)
  @ZodApiResponse(TargetViewSchema, { status: 201 })
  @ApiOperation({ summary: 'Create a channel; you become its owner and first member' })
  async createChannel(@Body() body: unknown, @Principal() p: VerifiedToken) {
    const input = parseOrThrow(CreateChannelSchema, body);
    const channel = await this.store.create('channel', input.unique_name, input.title ?? null, p.userId);
    if (!channel) throw new DispatchException(DispatchErrorCodes.TargetExists, 'A channel with that unique name exists.');
    return targetView(channel);
  }

  @Post('chats')
  @RequireScope(Scopes.ChannelsCreate)
  @ZodApiBody(CreateChatSchema)
  @ZodApiResponse(TargetViewSchema, { status: 201 })
  @ApiOperation({ summary: 'Create a group chat with you and the given users' })
  async createChat(@Body() body: unknown, @Principal() p: VerifiedToken) {
    const input = parseOrThrow(CreateChatSchema, body);
    const chat = await this.store.create('chat', input.chat_id ?? randomUUID(), input.title ?? null, p.userId);
    if (!chat) throw new DispatchException(DispatchErrorCodes.TargetExists, 'A chat with that id exists.');
    for (const userId of input.user_ids) await this.store.addMember(chat.id, 'user', userId);
    return targetView(chat);
  }

  @Get(':collection')
  @RequireScope(Scopes.ChannelsRead)
  @ApiParam({ name: 'collection', enum: Object.keys(COLLECTIONS) })
  @ApiOperation({ summary: 'The channels, chats or bots you are a member of' })
  @ZodApiResponse(dataList(TargetViewSchema))
  async mine(@Param('collection') collection: string, @Principal() p: VerifiedToken) {
    const kind = collectionKind(collection);
    return { data: (await this.store.targetsOf(p.userId, kind)).map(targetView) };
  }

  @Get(':collection/:name/members')
  @RequireScope(Scopes.ChannelsRead)
  @ApiParam({ name: 'collection', enum: Object.keys(COLLECTIONS) })
  @ApiOperation({ summary: 'Who is in a channel, chat or bot you are a member of' })
  @ZodApiResponse(MembersSchema)
  async members(@Param('collection') collection: string, @Param('name') name: string, @Principal() p: VerifiedToken) {
    const target = await this.access.memberTarget(collectionKind(collection), name, p.userId);
    return { target: targetView(target), data: await this.store.members(target.id) };
  }

  @Post(':collection/:name/members')
  @RequireScope(Scopes.ChannelsUpdate)
  @HttpCode(200)
  @ZodApiBody(AddMembersSchema)
  @ZodApiResponse(MembersSchema)
  @ApiParam({ name: 'collection', enum: Object.keys(COLLECTIONS) })
  @ApiOperation({ summary: 'Add users, or bots as participants (bots may then post here with bot_unique_name)' })
  async addMembers(@Param('collection') collection: string, @Param('name') name: string, @Body() body: unknown, @Principal() p: VerifiedToken) {
    const target = await this.access.memberTarget(collectionKind(collection), name, p.userId);
    const input = parseOrThrow(AddMembersSchema, body);
    for (const userId of input.user_ids) await this.store.addMember(target.id, 'user', userId);
    for (const bot of input.bot_unique_names) await this.store.addMember(target.id, 'bot', bot.toLowerCase());
    return { target: targetView(target), data: await this.store.members(target.id) };
  }

  @Delete(':collection/:name/members/:memberId')
  @RequireScope(Scopes.ChannelsUpdate)
  @HttpCode(204)
  @ApiParam({ name: 'collection', enum: Object.keys(COLLECTIONS) })
  @ApiOperation({ summary: 'Remove a user, or a bot (?kind=bot)' })
  @ZodApiQuery(MemberKindQuery)
  async removeMember(
    @Param('collection') collection: string,
    @Param('name') name: string,
    @Param('memberId') memberId: string,
    @Query() query: unknown,
    @Principal() p: VerifiedToken,
  ): Promise<void> {
    const target = await this.access.memberTarget(collectionKind(collection), name, p.userId);
    const { kind } = parseOrThrow(MemberKindQuery, query);
    if (!(await this.store.removeMember(target.id, kind, kind === 'bot' ? memberId.toLowerCase() : memberId))) {
      throw new DispatchException(DispatchErrorCodes.TargetNotFound, 'No such member.');
    }
  }
}
