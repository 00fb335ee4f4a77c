import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiSecurity } from '@nestjs/swagger';
import { AdminKeyGuard, Audited, dataPage, encodeCursor, parseOrThrow, TimestampSchema, ZodApiBody, ZodApiQuery, ZodApiResponse } from '@zapgate/platform';
import { z } from 'zod';
import { UserListQuerySchema } from '../directory/directory.dto';
import { DirectoryRepository } from '../directory/directory.repository';
import { MintedTokenSchema, tokenView, UsageReportSchema } from '../tokens/token.view';
import { UsageQuery } from '../usage/usage-query.service';
import { usageRange, UsageRangeSchema } from '../usage/usage-range.dto';
import { TokensService } from '../tokens/tokens.service';
import type { UserEntity } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { CreateUserSchema, IdParamSchema, MintTokenSchema } from './admin.dto';

// An operator-minted token is outside any application and any per-user webhook-token quota.
const OPERATOR_MINT_LIMIT = 1000;

const UserViewSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    display_name: z.string(),
    confirmed: z.boolean(),
    active: z.boolean().describe('false once deactivated: every token and session of theirs is dead'),
    created_at: TimestampSchema,
    deactivated_at: TimestampSchema.nullable(),
  })
  .meta({ id: 'User' });
const ErasureSchema = z.object({ user_id: z.uuid(), erased_at: TimestampSchema, status: z.literal('erasing') });

export const userView = (u: UserEntity): z.infer<typeof UserViewSchema> => ({
  id: u.id,
  email: u.email,
  display_name: u.displayName,
  confirmed: u.confirmed,
  active: u.active,
  created_at: u.createdAt.toISOString(),
  deactivated_at: u.deactivatedAt?.toISOString() ?? null,
});

@ApiTags('operator')
@ApiSecurity('adminKey')
@UseGuards(AdminKeyGuard)
@Controller('api/v1/admin/users')
export class AdminUsersController {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokensService,
    private readonly directory: DirectoryRepository,
    private readonly usage: UsageQuery,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a user' })
  @ZodApiBody(CreateUserSchema)
  @ZodApiResponse(UserViewSchema, { status: 201 })
  @Audited('user.created', { target: 'user', id: 'response' })
  async create(@Body() body: unknown) {
    const input = parseOrThrow(CreateUserSchema, body);
    return userView(await this.users.create({ email: input.email, displayName: input.display_name, password: input.password, confirmed: input.confirmed }));
  }

  @Get()
  @ApiOperation({ summary: 'List users, newest first (filters: email substring, active; cursor pagination)' })
  @ZodApiQuery(UserListQuerySchema)
  @ZodApiResponse(dataPage(UserViewSchema))
  async list(@Query() query: unknown) {
    const q = parseOrThrow(UserListQuerySchema, query);
    const page = await this.directory.users({ email: q.email, active: q.active }, q.limit, q.cursor);
    return { data: page.rows.map(userView), next_cursor: encodeCursor(page.next) };
  }

  @Get(':userId')
  @ApiOperation({ summary: 'Show a user' })
  @ZodApiResponse(UserViewSchema)
  async get(@Param('userId') userId: string) {
    return userView(await this.users.get(parseOrThrow(IdParamSchema, userId, 'userId')));
  }

  @Get(':userId/usage')
  @ApiOperation({ summary: "A user's hourly usage over all their tokens: window=24h|7d|30d, or from/to (ISO 8601, ≤ 90 days)" })
  @ZodApiQuery(UsageRangeSchema)
  @ZodApiResponse(UsageReportSchema.omit({ token_id: true }).extend({ user_id: z.uuid() }))
  async usageOf(@Param('userId') userId: string, @Query() query: unknown) {
    const user = await this.users.get(parseOrThrow(IdParamSchema, userId, 'userId'));
    const { from, to } = usageRange(parseOrThrow(UsageRangeSchema, query));
    return { user_id: user.id, ...(await this.usage.reportForUser(user.id, from, to)) };
  }

  @Post(':userId/confirm')
  @HttpCode(200)
  @ApiOperation({ summary: 'Confirm a user registration' })
  @ZodApiResponse(UserViewSchema)
  @Audited('user.confirmed', { target: 'user', id: 'userId' })
  async confirm(@Param('userId') userId: string) {
    return userView(await this.users.confirm(parseOrThrow(IdParamSchema, userId, 'userId')));
  }

  @Post(':userId/deactivate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Deactivate a user: every token and session of theirs stops working at once' })
  @ZodApiResponse(UserViewSchema)
  @Audited('user.deactivated', { target: 'user', id: 'userId' })
  async deactivate(@Param('userId') userId: string) {
    return userView(await this.users.deactivate(parseOrThrow(IdParamSchema, userId, 'userId')));
  }

  @Post(':userId/erase')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Erase a user and their data in every service: tokens, sessions and usage here at once; events, messages, memberships, subscriptions and OAuth connections as each service handles the erasure',
  })
  @ZodApiResponse(ErasureSchema, { status: 202 })
  @Audited('user.erased', { target: 'user', id: 'userId' })
  async erase(@Param('userId') userId: string) {
    const erased = await this.users.erase(parseOrThrow(IdParamSchema, userId, 'userId'));
    return { user_id: erased.userId, erased_at: erased.erasedAt.toISOString(), status: 'erasing' };
  }

  @Post(':userId/reactivate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reactivate a user (their old tokens stay revoked)' })
  @ZodApiResponse(UserViewSchema)
  @Audited('user.reactivated', { target: 'user', id: 'userId' })
  async reactivate(@Param('userId') userId: string) {
    return userView(await this.users.reactivate(parseOrThrow(IdParamSchema, userId, 'userId')));
  }

  @Post(':userId/tokens')
  @HttpCode(201)
  @ApiOperation({ summary: 'Mint a ZAPI key for a user; the secret is in this answer only' })
  @ZodApiBody(MintTokenSchema)
  @ZodApiResponse(MintedTokenSchema, { status: 201 })
  @Audited('token.created', { target: 'token', id: 'response' })
  async mintToken(@Param('userId') userId: string, @Body() body: unknown) {
    const id = parseOrThrow(IdParamSchema, userId, 'userId');
    const input = parseOrThrow(MintTokenSchema, body ?? {});
    const { secret, token } = await this.tokens.mint({
      userId: id,
      kind: 'zapikey',
      name: input.name,
      scopes: input.scopes,
      limit: OPERATOR_MINT_LIMIT,
    });
    return { ...tokenView(token), token: secret };
  }
}
