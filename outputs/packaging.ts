// The deployment targets written next to the plain files: Kubernetes objects, Helm values for Deepgram's chart, a
// Docker Compose stack, a systemd unit and the scale-out views. Each is drawn from the plain files, so no target carries its own copy.
import type { DgmonConfig } from '../core/config.ts';
import { kubernetesFiles } from './kubernetes.ts';
import { helmFiles } from './helm-values.ts';
import { composeFiles } from './compose.ts';
import { systemdFiles } from './systemd.ts';
import { scaleOutFiles } from './scale-out.ts';

export function packagingFiles(config: DgmonConfig, plain: Map<string, string>): Map<string, string> {
  return new Map([...kubernetesFiles(config, plain), ...helmFiles(config, plain), ...composeFiles(config, plain), ...systemdFiles(config), ...scaleOutFiles(config, plain)]);
}
