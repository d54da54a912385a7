// The deployment targets written next to the plain files: Kubernetes objects, Helm values for Deepgram's chart, a
// Docker Compose stack, a systemd unit and the scale-out views. Each is a view of the same bundle objects as the plain
// files, so no target carries its own copy.
import type { Bundle } from './bundle.ts';
import { kubernetesFiles } from './kubernetes.ts';
import { helmFiles } from './helm-values.ts';
import { composeFiles } from './compose.ts';
import { systemdFiles } from './systemd.ts';
import { scaleOutFiles } from './scale-out.ts';

export function packagingFiles(bundle: Bundle): Map<string, string> {
  return new Map([...kubernetesFiles(bundle), ...helmFiles(bundle), ...composeFiles(bundle), ...systemdFiles(bundle.config), ...scaleOutFiles(bundle)]);
}
