// Small drawing helpers shared by the panels. Status icons are drawn as shapes, so they never
// depend on which glyphs a font has.
#pragma once

#include <imgui.h>

#include <chrono>
#include <functional>
#include <string>

#include "diagnostics/check_report.h"
#include "panel_output.h"
#include "workspace.h"

namespace md::panels {

// A tick, a warning triangle, a cross or a hollow circle (unknown), one text line high.
void status_icon(Health health);
// A step's status: pass/warn/fail as above, skip as a muted dash.
void step_icon(diagnostics::StepStatus status);
// A turning arc, one text line high; the caller asks for a redraw while it shows.
void spinner();
// The spinner and what is being waited for ("Saving..."), asking for the spinner's frames.
void busy_line(const char* text, PanelOutput& out);
// How often a spinner needs a frame to look like it turns.
inline constexpr double kSpinnerFrameS = 1.0 / 15;
// A small drawn triangle: pointing right when closed, down when open.
void disclosure_arrow(bool open);
Health health_of(diagnostics::StepStatus status);

// A row of a two-column label/value table: the label muted. One line (a wrapped cell measures
// itself against a column width the table only knows from its second frame, and an idle window may
// not draw a third) or wrapped, where a value can be longer than the panel.
enum class CellText { one_line, wrapped };
void table_field(const char* label, const std::string& value, CellText text = CellText::one_line);

// Muted, wrapped explanatory text.
void hint_text(const char* text);
void heading(const char* text);
// "label: text" wrapped and selectable, with a small Copy button (tooltip says what it copies) on
// its line.
void copyable_field(const char* label, const std::string& text);
// A Copy button that says "Copied" once pressed, until the pointer leaves it; `label` is its text
// otherwise and its ID.
// `text` is asked for only when pressed (a whole log is not copied out every frame).
bool copy_button(const char* label, const std::function<std::string()>& text, const char* tooltip, bool small);
// Wrapped text that can be selected with the mouse and copied with Ctrl+C (a read-only text box
// that looks like text).
void selectable_text(const std::string& text);
// A failure as a person needs it: a red cross, "what: title [code]", then reason, remedy and the
// detail, each copyable.
void failure_block(const Failure& failure, const char* what);
// Where a file the window wrote for `account` went (with Copy), "Saving..." meanwhile, or why it
// could not be written. Nothing for another account's file.
void saved_file_line(const SavedFileView& file, const std::string& account, const char* what, PanelOutput& out);
// A protocol log line's colour: what we sent in blue, the server's words as text, notes muted.
ImVec4 log_line_colour(protolog::Direction d);
// Tooltip on the last item, also when it is disabled.
void item_tooltip(const char* text);
// A time as the person at the screen reads it: this computer's local time, "2026-12-04 09:12".
std::string local_time(std::chrono::system_clock::time_point t);
// Only the local time of day, "09:12:05" (a protocol log line's).
std::string local_clock_time(std::chrono::system_clock::time_point t);
// The same for an ISO 8601 UTC text as the store keeps it; the text itself when it is not one.
std::string local_time(const std::string& iso8601_utc);
// Tooltip on the last item with the UTC time, for comparing with servers' logs.
void utc_tooltip(std::chrono::system_clock::time_point t);

}  // namespace md::panels
