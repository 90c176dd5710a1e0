// The check ladder as a table: step, drawn status icon, duration, detail. A failed (or warned) row
// opens to the failure code, the reason, the remedy and the evidence, each copyable. Runs the
// account's checks or the installer's quick connectivity test on a worker; never waits for them.
#pragma once

#include <set>
#include <string>

#include "panel_output.h"
#include "workspace.h"

namespace md::panels {

struct DiagnosticsPanelState {
  // Which run is shown: "" follows the selected account; a quick key shows that test.
  std::string subject;
  // Rows the user opened, by step id (kept across frames and re-runs of the same account).
  std::set<std::string> opened;
};

// The key of the run the panel shows.
std::string shown_check_key(const WorkspaceView& view, const DiagnosticsPanelState& state);
// "All 12 checks passed", "2 of 12 checks failed (1 warning)", "Running: 4 steps done".
std::string run_summary(const CheckRun& run);
// Whether a row has something to open (a failure explanation or evidence).
bool step_opens(const diagnostics::StepResult& step);

void draw_diagnostics_panel(const WorkspaceView& view, DiagnosticsPanelState& state, PanelOutput& out);

}  // namespace md::panels
