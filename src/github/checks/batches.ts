/**
 * GitHub takes at most 50 annotations per check-run request; further ones go in PATCHes, which
 * append to those already stored.
 */
import type { CheckAnnotation } from "../../domain/check-run.js";

export const ANNOTATIONS_PER_REQUEST = 50;

/** `annotations` in order, 50 a batch; always at least one (possibly empty) batch. */
export function annotationBatches(annotations: readonly CheckAnnotation[]): CheckAnnotation[][] {
  const batches: CheckAnnotation[][] = [];
  for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST) batches.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  return batches.length ? batches : [[]];
}
