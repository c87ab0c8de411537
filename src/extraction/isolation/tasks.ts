import { documentContent } from '../anthropic/content';
import { profileDocument } from '../anthropic/profile';
import { splitPdf } from '../anthropic/split';
import { pdfXmlAttachments } from '../einvoice/attachments';
import { pageCount, readDocumentText } from '../text';
import { onDecodeProgress } from './progress';
import type { DecodeTask } from './protocol';

/**
 * Runs one decode task with the ordinary in-process functions. This is the one place a decoder
 * process turns a task into a call; a new format or task is added here.
 */
export async function runDecodeTask(task: DecodeTask, onProgress: () => void): Promise<unknown> {
  onDecodeProgress(onProgress);
  switch (task.name) {
    case 'text':
      return readDocumentText(task.document);
    case 'profile':
      return profileDocument(task.document, task.readPagesUpTo);
    case 'content':
      return documentContent(task.document);
    case 'pageCount':
      return pageCount(task.document);
    case 'split':
      return splitPdf(task.document, task.limits);
    case 'xmlAttachments':
      return pdfXmlAttachments(task.document);
  }
}
