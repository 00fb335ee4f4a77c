import { Body, Controller, Delete, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { parseOrThrow, TimestampSchema, ZodApiBody, ZodApiResponse } from '@zapgate/platform';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CredentialsService } from './credentials.service';
import type { SessionEntity } from './session.entity';
import { CurrentSession, SessionGuard } from './session.guard';
import { SessionsService } from './sessions.service';

const SignInSchema = z.object({ email: z.string().trim().min(1).max(254), password: z.string().min(1).max(200) });

const SessionSchema = z.object({
  session_token: z.string().describe('send it as `Authorization: Bearer …`'),
  expires_at: TimestampSchema,
  user: z.object({ id: z.uuid(), email: z.string(), display_name: z.string() }),
});

@ApiTags('sessions')
@Controller('api/v1/sessions')
export class SessionsController {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly sessions: SessionsService,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Sign in (email + password) for a short-lived session token' })
  @ZodApiBody(SignInSchema)
  @ZodApiResponse(SessionSchema, { status: 201 })
  async signIn(@Body() body: unknown, @Req() req: FastifyRequest) {
    const { email, password } = parseOrThrow(SignInSchema, body);
    const user = await this.credentials.check(email, password, req.ip);
    const { secret, session } = await this.sessions.open(user.id, req.ip);
    return {
      session_token: secret,
      expires_at: session.expiresAt.toISOString(),
      user: { id: user.id, email: user.email, display_name: user.displayName },
    };
  }

  @Delete('current')
  @HttpCode(204)
  @UseGuards(SessionGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Sign out' })
  async signOut(@CurrentSession() session: SessionEntity): Promise<void> {
    await this.sessions.close(session.id);
  }
}
