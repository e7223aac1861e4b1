import { flavourOf } from './baseImages.js';

/**
 * True when `image` is known not to ship `tool`: distroless and scratch have no shell or client
 * at all; Alpine's busybox has `wget` and `nc` but no `curl`; Debian `-slim` variants and the
 * slim language images have neither `curl` nor `wget`. Windows nanoserver ships `curl.exe`.
 * Unknown images are given the benefit of the doubt.
 *
 * @example
 * imageLacks('node:22.12.0-alpine3.21', 'curl'); // true
 */
export function imageLacks(image: string, tool: 'curl' | 'wget' | 'shell'): boolean {
  if (image === '' || image.includes('$')) return false;
  if (flavourOf(image) === 'distroless') return true;
  if (/nanoserver/i.test(image)) return tool === 'shell' ? false : tool === 'wget';
  if (tool === 'shell') return false;
  if (flavourOf(image) === 'alpine') return tool === 'curl';
  return /slim|mcr\.microsoft\.com\/dotnet\/|chiseled/.test(image);
}
