import { endOfLife } from './endOfLife.js';
import { parseImageReference } from './imageReference.js';
import type { Severity } from './ValidationPolicy.js';

/** A tag-policy finding, before it is placed on a line or a document path. */
export interface TagFinding {
  rule: 'NO_LATEST_TAG' | 'TAG_FLOATING' | 'TAG_END_OF_LIFE' | 'DEPRECATED_IMAGE';
  severity: Severity;
  message: string;
  fix: string;
}

/** Images whose tags carry a version with a patch number when pinned (`22.12.0-alpine3.21`). */
const VERSIONED = new Set([
  'node', 'python', 'golang', 'php', 'ruby', 'rust', 'eclipse-temurin', 'openjdk', 'amazoncorretto', 'maven', 'gradle', 'tomcat', 'nginx', 'httpd',
  'alpine', 'wildfly/wildfly', 'dotnet/sdk', 'dotnet/aspnet', 'dotnet/runtime', 'dotnet/runtime-deps', 'postgres', 'redis',
]);
const DEPRECATED: Record<string, string> = {
  openjdk: 'the openjdk images are deprecated and unpatched; use eclipse-temurin (same OpenJDK builds, maintained)',
  java: 'the java image is long deprecated; use eclipse-temurin',
  'jboss/wildfly': 'jboss/wildfly on Docker Hub is no longer updated; use quay.io/wildfly/wildfly',
  centos: 'CentOS Linux reached end of life; use a maintained base (Rocky Linux, AlmaLinux, UBI, Debian)',
};

/**
 * Tag policy for one image reference: `latest` or no tag at all, a floating tag (`node:18-alpine`,
 * `python:3.12-slim`: the image changes under the same name), an end-of-life runtime line
 * (`node:16`, `php:7.4`, `openjdk:17-jre-slim`... as of `asOf`), and deprecated images. A digest
 * pins an image whatever its tag.
 *
 * @example
 * checkImageTag('node:18-alpine', '2026-12-01').map((f) => f.rule); // ['TAG_FLOATING', 'TAG_END_OF_LIFE']
 */
export function checkImageTag(image: string, asOf: string): TagFinding[] {
  const { repository, tag, digest } = parseImageReference(image);
  const findings: TagFinding[] = [];
  const deprecated = DEPRECATED[repository];
  if (deprecated !== undefined) findings.push({ rule: 'DEPRECATED_IMAGE', severity: 'warning', message: `${image}: ${deprecated}`, fix: deprecated.replace(/^.*; /, '') });
  if (digest === undefined && (tag === undefined || tag === 'latest')) {
    findings.push({
      rule: 'NO_LATEST_TAG',
      severity: 'warning',
      message: tag === undefined ? `${image} has no tag, so it means ${image}:latest` : `${image} uses the moving "latest" tag`,
      fix: 'pin a full version tag (node:22.12.0-alpine3.21) or a digest (@sha256:...)',
    });
    return findings;
  }
  if (tag === undefined) return findings;
  const family = repository.replace(/^.*?(dotnet\/)/, '$1');
  const pinned = /^\d+\.\d+\.\d+|^\d+u\d+|^\d+\.\d+\.\d+_\d+|^\d+_\d+/.test(tag);
  if (digest === undefined && VERSIONED.has(family) && !pinned) {
    findings.push({
      rule: 'TAG_FLOATING',
      severity: 'warning',
      message: `${image}: the tag "${tag}" floats — the image behind it changes with every patch release`,
      fix: `pin the full version (${repository}:<major>.<minor>.<patch>${tag.replace(/^[\d.]+/, '')}) or a digest`,
    });
  }
  const ended = endOfLife(repository, tag, asOf);
  if (ended !== undefined) {
    findings.push({
      rule: 'TAG_END_OF_LIFE',
      severity: 'warning',
      message: `${image}: ${ended.runtime} ${ended.line} reached end of life on ${ended.ended} and gets no security fixes`,
      fix: `move to a supported ${ended.runtime} line`,
    });
  }
  return findings;
}
