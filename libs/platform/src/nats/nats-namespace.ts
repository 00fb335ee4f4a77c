/**
 * Applies the install's namespace (NATS_NAMESPACE) to subjects, streams and
 * queue groups, so isolated installs or test runs can share one NATS server
 * without seeing each other's traffic. Empty namespace = the registry as is.
 */
export class NatsNamespace {
  constructor(readonly prefix: string) {}

  subject(subject: string): string {
    return this.prefix ? `${this.prefix}.${subject}` : subject;
  }

  stream(name: string): string {
    return this.prefix ? `${this.prefix.toUpperCase().replace(/-/g, '_')}_${name}` : name;
  }

  durable(name: string): string {
    return this.prefix ? `${this.prefix}-${name}` : name;
  }
}
