// Filled in by the architecture step (issue 14).
export {};
