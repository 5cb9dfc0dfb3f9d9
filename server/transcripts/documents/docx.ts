/** A transcript as a Word document (DOCX, with the `docx` package). */
import { Document, HeadingLevel, Packer, Paragraph, TextRun } from 'docx';
import { documentFacts, segmentLead, type TranscriptDocument } from './model.ts';

/** The whole .docx file (the format is a zip written at the end, so it is built in memory). */
export async function renderDocx(doc: TranscriptDocument): Promise<Buffer> {
  const children: Paragraph[] = [
    new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun(clean(doc.title))] }),
    ...documentFacts(doc).map(
      ([label, value]) => new Paragraph({ children: [new TextRun({ text: `${label}: `, bold: true }), new TextRun(clean(value))] }),
    ),
  ];
  if (doc.summary?.trim()) {
    children.push(new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun('Summary')] }));
    for (const paragraph of doc.summary.trim().split(/\n\s*\n/)) children.push(new Paragraph({ children: [new TextRun(clean(paragraph))] }));
  }
  children.push(new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun('Transcript')] }));
  for await (const segment of doc.segments) {
    children.push(
      new Paragraph({
        spacing: { after: 120 },
        children: [new TextRun({ text: segmentLead(segment), bold: true }), new TextRun(clean(segment.text))],
      }),
    );
  }
  const document = new Document({
    title: clean(doc.title),
    creator: 'Parlance',
    description: 'Transcript',
    sections: [{ children }],
  });
  return Packer.toBuffer(document);
}

/** Characters XML 1.0 cannot hold (control characters) would make Word refuse the file. */
function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '');
}
