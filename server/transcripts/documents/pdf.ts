/**
 * A transcript as a PDF (pdfkit), streamed: segments are written as they are read, and writing
 * waits whenever the reader is more than a little behind, so a 10,000-segment transcript never sits
 * in memory whole, neither as rows nor as PDF bytes.
 *
 * Fonts: pdfkit's built-in Helvetica covers Latin-1 only, so the body font is a Unicode TrueType
 * font (DOCUMENT_FONT, by default Debian's DejaVu Sans, with its Bold beside it for headings). When
 * it is missing the document falls back to Helvetica and characters outside Latin-1 print as "?"
 * (`fontFallback` reports that once, for the log).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import PDFDocument from 'pdfkit';
import { documentFacts, segmentLead, type TranscriptDocument } from './model.ts';

export interface PdfOptions {
  /** A TrueType font file for the text (DOCUMENT_FONT). */
  fontPath: string;
  /** Called once when the font is missing and Helvetica (Latin-1 only) is used instead. */
  fontFallback?: (reason: string) => void;
  /** Bytes the reader may lag behind before writing waits (default 1 MiB). */
  highWaterBytes?: number;
}

interface Fonts {
  regular: string;
  bold: string;
  unicode: boolean;
}

/** The PDF as a stream; an error while reading segments destroys it with that error. */
export function renderPdf(doc: TranscriptDocument, options: PdfOptions): Readable {
  const pdf = new PDFDocument({
    size: 'A4',
    margin: 56,
    info: { Title: doc.title, Creator: 'Parlance', CreationDate: doc.date },
    autoFirstPage: true,
  });
  const out = new PassThrough({ highWaterMark: 64 * 1024 });
  pdf.pipe(out);
  const fonts = loadFonts(pdf, options);
  const limit = options.highWaterBytes ?? 1024 * 1024;
  write(pdf, doc, fonts, () => room(pdf, out, limit)).catch((error: unknown) => {
    out.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  return out;
}

async function write(pdf: PDFKit.PDFDocument, doc: TranscriptDocument, fonts: Fonts, waitForRoom: () => Promise<boolean>): Promise<void> {
  const text = fonts.unicode ? (value: string) => value : latin1;
  pdf.font(fonts.bold).fontSize(18).text(text(doc.title));
  pdf.moveDown(0.5);
  for (const [label, value] of documentFacts(doc)) {
    pdf.font(fonts.bold).fontSize(10).text(`${label}: `, { continued: true }).font(fonts.regular).text(text(value));
  }
  if (doc.summary?.trim()) {
    pdf.moveDown(1).font(fonts.bold).fontSize(13).text('Summary');
    pdf.moveDown(0.3).font(fonts.regular).fontSize(10).text(text(doc.summary.trim()), { paragraphGap: 6 });
  }
  pdf.moveDown(1).font(fonts.bold).fontSize(13).text('Transcript');
  pdf.moveDown(0.3);
  let count = 0;
  for await (const segment of doc.segments) {
    pdf.font(fonts.bold).fontSize(10).text(text(segmentLead(segment)), { continued: true });
    pdf.font(fonts.regular).text(text(segment.text), { paragraphGap: 4 });
    count += 1;
    if (count % 50 === 0 && !(await waitForRoom())) return;
  }
  pdf.end();
}

/**
 * Resolves once the reader has taken enough of what was written (true), or false when it went away.
 * pdfkit keeps pushing into its own buffer regardless of backpressure; this is what holds it back.
 */
async function room(pdf: PDFKit.PDFDocument, out: PassThrough, limit: number): Promise<boolean> {
  while (pdf.readableLength + out.readableLength > limit) {
    if (out.destroyed) return false;
    await new Promise<void>((resolve) => {
      const done = () => {
        out.off('drain', done);
        out.off('data', done);
        out.off('close', done);
        pdf.off('data', done);
        resolve();
      };
      out.once('drain', done);
      out.once('close', done);
      pdf.once('data', done);
    });
  }
  return !out.destroyed;
}

function loadFonts(pdf: PDFKit.PDFDocument, options: PdfOptions): Fonts {
  if (!existsSync(options.fontPath)) {
    options.fontFallback?.(`DOCUMENT_FONT ${options.fontPath} does not exist`);
    return { regular: 'Helvetica', bold: 'Helvetica-Bold', unicode: false };
  }
  try {
    pdf.registerFont('Body', options.fontPath);
    const boldPath = boldSibling(options.fontPath);
    pdf.registerFont('Body-Bold', boldPath && existsSync(boldPath) ? boldPath : options.fontPath);
    return { regular: 'Body', bold: 'Body-Bold', unicode: true };
  } catch (error) {
    options.fontFallback?.(`DOCUMENT_FONT ${options.fontPath} could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
    return { regular: 'Helvetica', bold: 'Helvetica-Bold', unicode: false };
  }
}

/** "DejaVuSans.ttf" → "DejaVuSans-Bold.ttf" (the family's bold, when it sits beside the regular). */
function boldSibling(fontPath: string): string | null {
  const ext = path.extname(fontPath);
  const base = path.basename(fontPath, ext).replace(/-(Regular|Book|Roman)$/i, '');
  return path.join(path.dirname(fontPath), `${base}-Bold${ext}`);
}

/** What Helvetica (WinAnsi) can print: Latin-1; anything else becomes "?". */
function latin1(value: string): string {
  return value.replace(/[^\u0000-\u00ff]/gu, '?');
}
