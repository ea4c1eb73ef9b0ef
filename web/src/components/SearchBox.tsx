// A search field that reports its text after the person pauses typing (or at once on Enter).
import { useEffect, useRef, useState } from 'preact/hooks';

export interface SearchBoxProps {
  label: string;
  value: string;
  onSearch: (text: string) => void;
  placeholder?: string;
  delayMs?: number;
}

export function SearchBox(props: SearchBoxProps) {
  const [text, setText] = useState(props.value);
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  const fire = (value: string) => {
    window.clearTimeout(timer.current);
    props.onSearch(value.trim());
  };
  return (
    <div class="search">
      <label class="search__label">
        {props.label}
        <input
          type="search"
          value={text}
          placeholder={props.placeholder}
          autocomplete="off"
          spellcheck={false}
          onInput={(event) => {
            const value = (event.target as HTMLInputElement).value;
            setText(value);
            window.clearTimeout(timer.current);
            timer.current = window.setTimeout(() => fire(value), props.delayMs ?? 250);
          }}
          onKeyDown={(event) => {
            if (event.key === 'Enter') {
              event.preventDefault();
              fire(text);
            }
          }}
        />
      </label>
    </div>
  );
}
