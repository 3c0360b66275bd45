/* The records' listings in the Wagtail admin: "select all" and the number of
   selected rows for the bulk actions. Without this script every row can still be
   ticked and every button used (the server answers an empty selection). */
(() => {
    "use strict";

    const setUp = (form) => {
        const boxes = () => Array.from(form.querySelectorAll("[data-atelier-select]"));
        const selectAll = form.querySelector("[data-atelier-select-all]");
        const count = form.querySelector("[data-atelier-count]");
        const buttons = form.querySelectorAll("[data-atelier-needs-selection]");

        const update = () => {
            const all = boxes();
            const ticked = all.filter((box) => box.checked).length;
            if (selectAll) {
                selectAll.checked = ticked > 0 && ticked === all.length;
                selectAll.indeterminate = ticked > 0 && ticked < all.length;
            }
            if (count) {
                count.hidden = false;
                count.textContent = `(${ticked})`;
            }
            buttons.forEach((button) => {
                button.disabled = ticked === 0;
            });
        };

        if (selectAll) {
            selectAll.hidden = false;
            selectAll.addEventListener("change", () => {
                boxes().forEach((box) => {
                    box.checked = selectAll.checked;
                });
                update();
            });
        }
        form.addEventListener("change", (event) => {
            if (event.target.matches("[data-atelier-select]")) {
                update();
            }
        });
        update();
    };

    const start = () => {
        document.querySelectorAll("[data-atelier-bulk]").forEach(setUp);
    };
    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();
