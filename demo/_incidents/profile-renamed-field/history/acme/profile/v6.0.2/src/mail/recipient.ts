import type { User } from "../users/model";

// The recipient block of a mailer message.
export function toRecipient(user: User) {
  return { id: user.id, name: user.displayName, email_address: user.email };
}
