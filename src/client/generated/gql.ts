/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query Me {\n  me {\n    ...UserFields\n    sessions {\n      ...SessionFields\n    }\n  }\n}\n\nquery MyAuditEvents($limit: Int, $before: DateTime) {\n  me {\n    id\n    auditEvents(limit: $limit, before: $before) {\n      ...AuditEventFields\n    }\n  }\n}\n\nmutation RevokeSession($sessionId: ID!) {\n  revokeSession(sessionId: $sessionId) {\n    ...SessionFields\n  }\n}\n\nmutation RevokeAllSessions($includeCurrent: Boolean) {\n  revokeAllSessions(includeCurrent: $includeCurrent)\n}": typeof types.MeDocument,
    "query User($id: ID!) {\n  user(id: $id) {\n    ...UserFields\n    disabledAt\n    sessions {\n      ...SessionFields\n    }\n  }\n}\n\nmutation CreateUser($input: CreateUserInput!) {\n  createUser(input: $input) {\n    ...UserFields\n  }\n}\n\nmutation DisableUser($id: ID!) {\n  disableUser(id: $id) {\n    ...UserFields\n    disabledAt\n  }\n}\n\nmutation EnableUser($id: ID!) {\n  enableUser(id: $id) {\n    ...UserFields\n    disabledAt\n  }\n}\n\nmutation DeleteUser($id: ID!) {\n  deleteUser(id: $id)\n}": typeof types.UserDocument,
    "mutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    ...AuthPayloadFields\n  }\n}\n\nmutation Login($input: LoginInput!) {\n  login(input: $input) {\n    ...AuthPayloadFields\n  }\n}\n\nmutation RenewToken($refreshToken: String!) {\n  renewToken(refreshToken: $refreshToken) {\n    accessToken\n    accessTokenExpiresAt\n    refreshToken\n    refreshTokenExpiresAt\n  }\n}\n\nmutation Logout {\n  logout\n}\n\nmutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n  changePassword(currentPassword: $currentPassword, newPassword: $newPassword)\n}": typeof types.SignUpDocument,
    "fragment SessionFields on Session {\n  id\n  status\n  current\n  createdAt\n  lastUsedAt\n  expiresAt\n  userAgent\n  ipAddress\n}\n\nfragment UserFields on User {\n  id\n  email\n  username\n  roles\n  profile\n  createdAt\n}\n\nfragment AuthPayloadFields on AuthPayload {\n  accessToken\n  accessTokenExpiresAt\n  refreshToken\n  refreshTokenExpiresAt\n  user {\n    ...UserFields\n  }\n  session {\n    ...SessionFields\n  }\n}\n\nfragment AuditEventFields on AuditEvent {\n  id\n  type\n  outcome\n  sessionId\n  actorId\n  ipAddress\n  userAgent\n  detail\n  createdAt\n}": typeof types.SessionFieldsFragmentDoc,
    "mutation StartTotpEnrollment {\n  startTotpEnrollment {\n    secret\n    otpauthUrl\n  }\n}\n\nmutation ConfirmTotpEnrollment($code: String!) {\n  confirmTotpEnrollment(code: $code)\n}\n\nmutation DisableTotp($code: String!) {\n  disableTotp(code: $code)\n}\n\nmutation CompleteMfaLogin($mfaToken: String!, $code: String!) {\n  completeMfaLogin(mfaToken: $mfaToken, code: $code) {\n    ...AuthPayloadFields\n  }\n}\n\nmutation ResetUserMfa($userId: ID!) {\n  resetUserMfa(userId: $userId)\n}": typeof types.StartTotpEnrollmentDocument,
    "subscription SessionEnded {\n  sessionEnded {\n    id\n    status\n  }\n}": typeof types.SessionEndedDocument,
};
const documents: Documents = {
    "query Me {\n  me {\n    ...UserFields\n    sessions {\n      ...SessionFields\n    }\n  }\n}\n\nquery MyAuditEvents($limit: Int, $before: DateTime) {\n  me {\n    id\n    auditEvents(limit: $limit, before: $before) {\n      ...AuditEventFields\n    }\n  }\n}\n\nmutation RevokeSession($sessionId: ID!) {\n  revokeSession(sessionId: $sessionId) {\n    ...SessionFields\n  }\n}\n\nmutation RevokeAllSessions($includeCurrent: Boolean) {\n  revokeAllSessions(includeCurrent: $includeCurrent)\n}": types.MeDocument,
    "query User($id: ID!) {\n  user(id: $id) {\n    ...UserFields\n    disabledAt\n    sessions {\n      ...SessionFields\n    }\n  }\n}\n\nmutation CreateUser($input: CreateUserInput!) {\n  createUser(input: $input) {\n    ...UserFields\n  }\n}\n\nmutation DisableUser($id: ID!) {\n  disableUser(id: $id) {\n    ...UserFields\n    disabledAt\n  }\n}\n\nmutation EnableUser($id: ID!) {\n  enableUser(id: $id) {\n    ...UserFields\n    disabledAt\n  }\n}\n\nmutation DeleteUser($id: ID!) {\n  deleteUser(id: $id)\n}": types.UserDocument,
    "mutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    ...AuthPayloadFields\n  }\n}\n\nmutation Login($input: LoginInput!) {\n  login(input: $input) {\n    ...AuthPayloadFields\n  }\n}\n\nmutation RenewToken($refreshToken: String!) {\n  renewToken(refreshToken: $refreshToken) {\n    accessToken\n    accessTokenExpiresAt\n    refreshToken\n    refreshTokenExpiresAt\n  }\n}\n\nmutation Logout {\n  logout\n}\n\nmutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n  changePassword(currentPassword: $currentPassword, newPassword: $newPassword)\n}": types.SignUpDocument,
    "fragment SessionFields on Session {\n  id\n  status\n  current\n  createdAt\n  lastUsedAt\n  expiresAt\n  userAgent\n  ipAddress\n}\n\nfragment UserFields on User {\n  id\n  email\n  username\n  roles\n  profile\n  createdAt\n}\n\nfragment AuthPayloadFields on AuthPayload {\n  accessToken\n  accessTokenExpiresAt\n  refreshToken\n  refreshTokenExpiresAt\n  user {\n    ...UserFields\n  }\n  session {\n    ...SessionFields\n  }\n}\n\nfragment AuditEventFields on AuditEvent {\n  id\n  type\n  outcome\n  sessionId\n  actorId\n  ipAddress\n  userAgent\n  detail\n  createdAt\n}": types.SessionFieldsFragmentDoc,
    "mutation StartTotpEnrollment {\n  startTotpEnrollment {\n    secret\n    otpauthUrl\n  }\n}\n\nmutation ConfirmTotpEnrollment($code: String!) {\n  confirmTotpEnrollment(code: $code)\n}\n\nmutation DisableTotp($code: String!) {\n  disableTotp(code: $code)\n}\n\nmutation CompleteMfaLogin($mfaToken: String!, $code: String!) {\n  completeMfaLogin(mfaToken: $mfaToken, code: $code) {\n    ...AuthPayloadFields\n  }\n}\n\nmutation ResetUserMfa($userId: ID!) {\n  resetUserMfa(userId: $userId)\n}": types.StartTotpEnrollmentDocument,
    "subscription SessionEnded {\n  sessionEnded {\n    id\n    status\n  }\n}": types.SessionEndedDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Me {\n  me {\n    ...UserFields\n    sessions {\n      ...SessionFields\n    }\n  }\n}\n\nquery MyAuditEvents($limit: Int, $before: DateTime) {\n  me {\n    id\n    auditEvents(limit: $limit, before: $before) {\n      ...AuditEventFields\n    }\n  }\n}\n\nmutation RevokeSession($sessionId: ID!) {\n  revokeSession(sessionId: $sessionId) {\n    ...SessionFields\n  }\n}\n\nmutation RevokeAllSessions($includeCurrent: Boolean) {\n  revokeAllSessions(includeCurrent: $includeCurrent)\n}"): (typeof documents)["query Me {\n  me {\n    ...UserFields\n    sessions {\n      ...SessionFields\n    }\n  }\n}\n\nquery MyAuditEvents($limit: Int, $before: DateTime) {\n  me {\n    id\n    auditEvents(limit: $limit, before: $before) {\n      ...AuditEventFields\n    }\n  }\n}\n\nmutation RevokeSession($sessionId: ID!) {\n  revokeSession(sessionId: $sessionId) {\n    ...SessionFields\n  }\n}\n\nmutation RevokeAllSessions($includeCurrent: Boolean) {\n  revokeAllSessions(includeCurrent: $includeCurrent)\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query User($id: ID!) {\n  user(id: $id) {\n    ...UserFields\n    disabledAt\n    sessions {\n      ...SessionFields\n    }\n  }\n}\n\nmutation CreateUser($input: CreateUserInput!) {\n  createUser(input: $input) {\n    ...UserFields\n  }\n}\n\nmutation DisableUser($id: ID!) {\n  disableUser(id: $id) {\n    ...UserFields\n    disabledAt\n  }\n}\n\nmutation EnableUser($id: ID!) {\n  enableUser(id: $id) {\n    ...UserFields\n    disabledAt\n  }\n}\n\nmutation DeleteUser($id: ID!) {\n  deleteUser(id: $id)\n}"): (typeof documents)["query User($id: ID!) {\n  user(id: $id) {\n    ...UserFields\n    disabledAt\n    sessions {\n      ...SessionFields\n    }\n  }\n}\n\nmutation CreateUser($input: CreateUserInput!) {\n  createUser(input: $input) {\n    ...UserFields\n  }\n}\n\nmutation DisableUser($id: ID!) {\n  disableUser(id: $id) {\n    ...UserFields\n    disabledAt\n  }\n}\n\nmutation EnableUser($id: ID!) {\n  enableUser(id: $id) {\n    ...UserFields\n    disabledAt\n  }\n}\n\nmutation DeleteUser($id: ID!) {\n  deleteUser(id: $id)\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    ...AuthPayloadFields\n  }\n}\n\nmutation Login($input: LoginInput!) {\n  login(input: $input) {\n    ...AuthPayloadFields\n  }\n}\n\nmutation RenewToken($refreshToken: String!) {\n  renewToken(refreshToken: $refreshToken) {\n    accessToken\n    accessTokenExpiresAt\n    refreshToken\n    refreshTokenExpiresAt\n  }\n}\n\nmutation Logout {\n  logout\n}\n\nmutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n  changePassword(currentPassword: $currentPassword, newPassword: $newPassword)\n}"): (typeof documents)["mutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    ...AuthPayloadFields\n  }\n}\n\nmutation Login($input: LoginInput!) {\n  login(input: $input) {\n    ...AuthPayloadFields\n  }\n}\n\nmutation RenewToken($refreshToken: String!) {\n  renewToken(refreshToken: $refreshToken) {\n    accessToken\n    accessTokenExpiresAt\n    refreshToken\n    refreshTokenExpiresAt\n  }\n}\n\nmutation Logout {\n  logout\n}\n\nmutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n  changePassword(currentPassword: $currentPassword, newPassword: $newPassword)\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment SessionFields on Session {\n  id\n  status\n  current\n  createdAt\n  lastUsedAt\n  expiresAt\n  userAgent\n  ipAddress\n}\n\nfragment UserFields on User {\n  id\n  email\n  username\n  roles\n  profile\n  createdAt\n}\n\nfragment AuthPayloadFields on AuthPayload {\n  accessToken\n  accessTokenExpiresAt\n  refreshToken\n  refreshTokenExpiresAt\n  user {\n    ...UserFields\n  }\n  session {\n    ...SessionFields\n  }\n}\n\nfragment AuditEventFields on AuditEvent {\n  id\n  type\n  outcome\n  sessionId\n  actorId\n  ipAddress\n  userAgent\n  detail\n  createdAt\n}"): (typeof documents)["fragment SessionFields on Session {\n  id\n  status\n  current\n  createdAt\n  lastUsedAt\n  expiresAt\n  userAgent\n  ipAddress\n}\n\nfragment UserFields on User {\n  id\n  email\n  username\n  roles\n  profile\n  createdAt\n}\n\nfragment AuthPayloadFields on AuthPayload {\n  accessToken\n  accessTokenExpiresAt\n  refreshToken\n  refreshTokenExpiresAt\n  user {\n    ...UserFields\n  }\n  session {\n    ...SessionFields\n  }\n}\n\nfragment AuditEventFields on AuditEvent {\n  id\n  type\n  outcome\n  sessionId\n  actorId\n  ipAddress\n  userAgent\n  detail\n  createdAt\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation StartTotpEnrollment {\n  startTotpEnrollment {\n    secret\n    otpauthUrl\n  }\n}\n\nmutation ConfirmTotpEnrollment($code: String!) {\n  confirmTotpEnrollment(code: $code)\n}\n\nmutation DisableTotp($code: String!) {\n  disableTotp(code: $code)\n}\n\nmutation CompleteMfaLogin($mfaToken: String!, $code: String!) {\n  completeMfaLogin(mfaToken: $mfaToken, code: $code) {\n    ...AuthPayloadFields\n  }\n}\n\nmutation ResetUserMfa($userId: ID!) {\n  resetUserMfa(userId: $userId)\n}"): (typeof documents)["mutation StartTotpEnrollment {\n  startTotpEnrollment {\n    secret\n    otpauthUrl\n  }\n}\n\nmutation ConfirmTotpEnrollment($code: String!) {\n  confirmTotpEnrollment(code: $code)\n}\n\nmutation DisableTotp($code: String!) {\n  disableTotp(code: $code)\n}\n\nmutation CompleteMfaLogin($mfaToken: String!, $code: String!) {\n  completeMfaLogin(mfaToken: $mfaToken, code: $code) {\n    ...AuthPayloadFields\n  }\n}\n\nmutation ResetUserMfa($userId: ID!) {\n  resetUserMfa(userId: $userId)\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription SessionEnded {\n  sessionEnded {\n    id\n    status\n  }\n}"): (typeof documents)["subscription SessionEnded {\n  sessionEnded {\n    id\n    status\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;