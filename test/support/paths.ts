import { resolve } from 'node:path';

/** The project root and the reference files the tests read: all inside the repository (it stands alone). */
export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');
export const JUNIT_XSD = resolve(PROJECT_ROOT, 'fixtures/schemas/junit-jenkins.xsd');
export const REAL_HOSTS = resolve(PROJECT_ROOT, 'fixtures/real-hosts');
export const HOST_CHECKS = resolve(PROJECT_ROOT, 'fixtures/host-checks.json');
