import type { MfaRateLimits } from "./mfa-rate-limits.js";

/** What the second factor needs besides the common auth deps. */
export interface MfaDeps {
  /** AES-256-GCM key of the stored TOTP secrets (TOTP_ENCRYPTION_KEY). */
  encryptionKey: Buffer;
  /** Shown in authenticator apps. */
  issuer: string;
  /** How long an mfaToken lives. */
  tokenTtlSeconds: number;
  rateLimits: MfaRateLimits;
}

/** Wrong codes one mfaToken survives: the 5th wrong code spends it (API.md). */
export const MFA_TOKEN_MAX_ATTEMPTS = 5;
