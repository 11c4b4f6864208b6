export interface User {
  id: string;
  displayName: string;
  email: string;
  locale: string;
}
