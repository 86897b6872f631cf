// Placeholder: the shared Kafka and Redis for the test run are started here (see infra/).
export default async function globalSetup(): Promise<void> {}
