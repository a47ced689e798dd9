/** The major of `runs.using: nodeNN` in action.yml (or in the text given). */
export declare function declaredMajor(actionYml?: string): number
