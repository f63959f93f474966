/**
 * The TLS flags every per-job process takes, and the material they name.
 * Launchers pass them; an invalid or unreadable file is a config error.
 */
import type { Command } from 'commander';
import { loadTlsMaterial, type TlsFiles, type TlsMaterial } from '../pki';

export interface TlsFlagValues {
  tlsCa: string;
  tlsCert: string;
  tlsKey: string;
  tlsCrl?: string;
}

export function addTlsFlags(command: Command): Command {
  return command
    .requiredOption('--tls-ca <file>', "the federation CA's certificate (PEM)")
    .requiredOption('--tls-cert <file>', "this process's certificate (PEM)")
    .requiredOption('--tls-key <file>', "this process's private key (PEM)")
    .option('--tls-crl <file>', "the federation's certificate revocation list (PEM)");
}

export function tlsFilesFromFlags(values: TlsFlagValues): TlsFiles {
  return { ca: values.tlsCa, cert: values.tlsCert, key: values.tlsKey, crl: values.tlsCrl };
}

/** The flags for launching a process with these files. */
export function tlsFlagArguments(files: TlsFiles): string[] {
  return ['--tls-ca', files.ca, '--tls-cert', files.cert, '--tls-key', files.key, ...(files.crl ? ['--tls-crl', files.crl] : [])];
}

export function tlsMaterialFromFlags(values: TlsFlagValues): TlsMaterial {
  return loadTlsMaterial(tlsFilesFromFlags(values));
}
