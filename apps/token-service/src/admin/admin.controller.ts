import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { parseOrThrow, ZodApiBody } from '@zapgate/platform';
import { TokensService } from '../tokens/tokens.service';
import type { UserEntity } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { AdminKeyGuard } from './admin-key.guard';
import { CreateUserSchema, MintTokenSchema, UserIdParamSchema } from './admin.dto';

const publicUser = (u: UserEntity) => ({
  id: u.id,
  email: u.email,
  display_name: u.displayName,
  confirmed: u.confirmed,
  active: u.active,
  created_at: u.createdAt.toISOString(),
});

@ApiTags('operator')
@ApiHeader({ name: 'X-Admin-Key', required: true })
@UseGuards(AdminKeyGuard)
@Controller('api/v1/admin')
export class AdminController {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokensService,
  ) {}

  @Post('users')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a user' })
  @ZodApiBody(CreateUserSchema)
  async createUser(@Body() body: unknown) {
    const input = parseOrThrow(CreateUserSchema, body);
    const user = await this.users.create({
      email: input.email,
      displayName: input.display_name,
      password: input.password,
      confirmed: input.confirmed,
    });
    return publicUser(user);
  }

  @Post('users/:userId/tokens')
  @HttpCode(201)
  @ApiOperation({ summary: 'Mint a ZAPI key for a user; the secret is in this answer only' })
  @ZodApiBody(MintTokenSchema)
  async mintToken(@Param('userId') userId: string, @Body() body: unknown) {
    const id = parseOrThrow(UserIdParamSchema, userId, 'userId');
    const input = parseOrThrow(MintTokenSchema, body ?? {});
    const { secret, token } = await this.tokens.mint({ userId: id, kind: 'zapikey', name: input.name, scopes: input.scopes });
    return {
      id: token.id,
      token: secret,
      kind: token.kind,
      name: token.name,
      scopes: token.scopes,
      prefix: token.prefix,
      last4: token.last4,
      created_at: token.createdAt.toISOString(),
    };
  }
}
