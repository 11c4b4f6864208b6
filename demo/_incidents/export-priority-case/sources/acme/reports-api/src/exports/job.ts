export interface ExportRequest {
  report: string;
  format: "csv" | "xlsx";
  from: string;
  to: string;
  urgent?: boolean;
}

// The job the export worker runs.
export function buildJob(req: ExportRequest) {
  return {
    report: req.report,
    format: req.format,
    range: { from: req.from, to: req.to },
    priority: req.urgent ? "HIGH" : "NORMAL",
  };
}
