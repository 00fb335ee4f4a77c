import { CreateUsersAndTokens1795376943016 } from './1795376943016-CreateUsersAndTokens';

/** In order of application; TypeORM records each by name in "token"."migrations". */
export const tokenMigrations = [CreateUsersAndTokens1795376943016];
